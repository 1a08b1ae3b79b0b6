;; Invalid: the element segment names function 1, which does not exist.
(module (table 1 funcref) (func) (elem (i32.const 0) 1))
