;; Invalid: exports function 1, which does not exist.
(module (func) (export "f" (func 1)))
