;; Invalid: the start function 1 does not exist.
(module (func) (start 1))
