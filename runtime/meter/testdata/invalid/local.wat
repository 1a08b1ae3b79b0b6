;; Invalid: reads local 0 of a function without locals; the instrumenter adds one there.
(module (func (export "f") (drop (local.get 0))))
