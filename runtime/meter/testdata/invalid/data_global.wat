;; Invalid: the data offset reads global 1, which does not exist (it would be the depth counter).
(module (global i32 (i32.const 0)) (memory 1) (data (global.get 1) "x"))
