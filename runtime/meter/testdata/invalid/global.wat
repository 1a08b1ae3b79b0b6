;; Invalid: sets global 0, which does not exist; the instrumenter appends its gas counter there.
(module (func (export "f") (global.set 0 (i64.const 1))))
