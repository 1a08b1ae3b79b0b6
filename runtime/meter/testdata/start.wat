;; A start function runs during instantiation, before the host can set the gas counter: it
;; lives on the initial gas (Config.WithInitialGas). This one counts to 1000 and stops.
(module
  (global $n (export "n") (mut i32) (i32.const 0))
  (func $start
    (loop $l
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (global.get $n) (i32.const 1000)))))
  (start $start)
)
