;; Invalid: calls function 1, which does not exist; the instrumenter appends a helper there.
(module (func (export "f") (call 1)))
