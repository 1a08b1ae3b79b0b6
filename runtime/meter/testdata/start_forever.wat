;; A start function that never ends: instantiation must fail with out of gas.
(module (func $start (loop $l (br $l))) (start $start))
