;; Invalid: exports global 0, which does not exist (it would be the gas counter).
(module (export "g" (global 0)))
