;; Softmax statistics of a logit vector with WebAssembly SIMD: the one vocabulary-sized pass the runtime
;; makes every decode step (raw probability and entropy of every generated token). About 10x faster than
;; the same loop over Math.exp in JavaScript. Source of the bytes embedded in softmax-simd.ts; rebuild with
;;   npx -p wabt@1.0.39 wat2wasm model-runtime/softmax-simd.wat -o /tmp/s.wasm && base64 -w0 /tmp/s.wasm
;; Memory: the logits as f32 from offset 0, padded with -inf to a multiple of 4.
(module
  (memory (export "memory") 4)

  ;; The largest of n (a multiple of 4) floats.
  (func (export "max") (param $n i32) (result f32)
    (local $i i32) (local $end i32) (local $m v128)
    (local.set $m (f32x4.splat (f32.const -inf)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $lp
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $m (f32x4.max (local.get $m) (v128.load (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $lp)))
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
      (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))

  ;; The first index holding the value m (-1 if none).
  (func (export "indexOf") (param $n i32) (param $m f32) (result i32)
    (local $i i32)
    (block $done
      (loop $lp
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (f32.eq (f32.load (i32.shl (local.get $i) (i32.const 2))) (local.get $m))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $lp)))
    (i32.const -1))

  ;; sum(exp(x - m)) and sum((x - m) * exp(x - m)) over n floats, stored as two f64 at $out.
  ;; exp: k = round(d / ln2), u = d - k ln2 (two-part ln2), e^u by its Taylor series to u^6 (|u| <= 0.35:
  ;; relative error about 1e-7), times 2^k by adding k to the exponent bits. d is clamped at -80 (e^-80 is
  ;; 2e-35: nothing). Sums are kept in f64 lanes.
  (func (export "expsum") (param $n i32) (param $m f32) (param $out i32)
    (local $i i32) (local $end i32) (local $mv v128) (local $d v128) (local $k v128) (local $u v128)
    (local $p v128) (local $e v128) (local $de v128)
    (local $s0 v128) (local $s1 v128) (local $w0 v128) (local $w1 v128)
    (local.set $mv (f32x4.splat (local.get $m)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $lp
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $d (f32x4.max
          (f32x4.sub (v128.load (local.get $i)) (local.get $mv))
          (f32x4.splat (f32.const -80))))
        (local.set $k (f32x4.nearest (f32x4.mul (local.get $d) (f32x4.splat (f32.const 1.4426950408889634)))))
        (local.set $u (f32x4.sub
          (f32x4.sub (local.get $d) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693145751953125))))
          (f32x4.mul (local.get $k) (f32x4.splat (f32.const 1.428606765330187e-06)))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.008333333333333333))
          (f32x4.mul (local.get $u) (f32x4.splat (f32.const 0.001388888888888889)))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.041666666666666664)) (f32x4.mul (local.get $u) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.16666666666666666)) (f32x4.mul (local.get $u) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $u) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $u) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $u) (local.get $p))))
        (local.set $e (i32x4.add (local.get $p)
          (i32x4.shl (i32x4.trunc_sat_f32x4_s (local.get $k)) (i32.const 23))))
        (local.set $de (f32x4.mul (local.get $d) (local.get $e)))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.promote_low_f32x4 (local.get $e))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
        (local.set $w0 (f64x2.add (local.get $w0) (f64x2.promote_low_f32x4 (local.get $de))))
        (local.set $w1 (f64x2.add (local.get $w1) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $de) (local.get $de)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $lp)))
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (local.set $w0 (f64x2.add (local.get $w0) (local.get $w1)))
    (f64.store (local.get $out)
      (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (f64.store offset=8 (local.get $out)
      (f64.add (f64x2.extract_lane 0 (local.get $w0)) (f64x2.extract_lane 1 (local.get $w0))))))
