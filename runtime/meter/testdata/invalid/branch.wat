;; Invalid: branches 1 level out of a function with no blocks.
(module (func (export "f") (br 1)))
