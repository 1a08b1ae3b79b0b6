;; A tiny ABI v1 contract for wasmcc's tests. The first letter of the function name picks what it does:
;;   put      writes key "k" = the argument bytes, returns "ok"
;;   get      returns the value of "k" (empty when absent)
;;   emit     emits events "Ping" and "Pong" with the argument bytes as payload, returns "ok"
;;   caller   returns the caller identity JSON
;;   spin     loops forever (a hostile contract: only a limit stops it)
;;   bomb     grows memory until the limit refuses, then aborts with "out of memory"
;;   anything else fails with the contract error "nope"
(module
  (import "medledger" "input_function" (func $input_function (result i64)))
  (import "medledger" "input_args" (func $input_args (result i64)))
  (import "medledger" "register_read" (func $register_read (param i32)))
  (import "medledger" "state_get" (func $state_get (param i32 i32) (result i64)))
  (import "medledger" "state_put" (func $state_put (param i32 i32 i32 i32)))
  (import "medledger" "event_emit" (func $event_emit (param i32 i32 i32 i32)))
  (import "medledger" "caller" (func $caller (result i64)))
  (import "medledger" "result_set" (func $result_set (param i32 i32)))
  (import "medledger" "abort" (func $abort (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "k")
  (data (i32.const 32) "ok")
  (data (i32.const 48) "PingPong")
  (data (i32.const 64) "nope")
  (data (i32.const 80) "out of memory")
  (func (export "medledger_abi_v1"))
  (func (export "invoke") (result i32)
    (local $n i32) (local $f i32)
    (drop (call $input_function))
    (call $register_read (i32.const 1024))
    (local.set $f (i32.load8_u (i32.const 1024)))
    (local.set $n (i32.wrap_i64 (call $input_args)))
    (call $register_read (i32.const 4096))
    (if (i32.eq (local.get $f) (i32.const 112)) ;; p
      (then
        (call $state_put (i32.const 16) (i32.const 1) (i32.const 4096) (local.get $n))
        (call $result_set (i32.const 32) (i32.const 2))
        (return (i32.const 0))))
    (if (i32.eq (local.get $f) (i32.const 103)) ;; g
      (then
        (local.set $n (i32.wrap_i64 (call $state_get (i32.const 16) (i32.const 1))))
        (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (i32.const 0))))
        (call $register_read (i32.const 8192))
        (call $result_set (i32.const 8192) (local.get $n))
        (return (i32.const 0))))
    (if (i32.eq (local.get $f) (i32.const 101)) ;; e
      (then
        (call $event_emit (i32.const 48) (i32.const 4) (i32.const 4096) (local.get $n))
        (call $event_emit (i32.const 52) (i32.const 4) (i32.const 4096) (local.get $n))
        (call $result_set (i32.const 32) (i32.const 2))
        (return (i32.const 0))))
    (if (i32.eq (local.get $f) (i32.const 99)) ;; c
      (then
        (local.set $n (i32.wrap_i64 (call $caller)))
        (call $register_read (i32.const 8192))
        (call $result_set (i32.const 8192) (local.get $n))
        (return (i32.const 0))))
    (if (i32.eq (local.get $f) (i32.const 115)) ;; s
      (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $f) (i32.const 98)) ;; b
      (then
        (block $full
          (loop $grow
            (br_if $full (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
            (br $grow)))
        (call $abort (i32.const 80) (i32.const 13))))
    (call $result_set (i32.const 64) (i32.const 4))
    (i32.const 1)))
