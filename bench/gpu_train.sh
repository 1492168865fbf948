#!/usr/bin/env bash
# Train the eye CNN (several seeds and schedules) and the full-face comparison on a lent GPU box in one call.
#
#   bench/gpu_train.sh prepare   # here: .gpu/ = whole faces of Training + PublicTest (.npz.xz) + Keras wheels
#   bench/gpu_train.sh travel    # here, before the device call: keep the committed .keras files out of
#                                # what travels (64 MiB limit); `bench/gpu_train.sh home` undoes it
#   bench/gpu_train.sh device    # there (the `device` tool's run, carry [".gpu"], timeout 590; TOTAL=540): runs
#                                # bench/gpu_train.py with KERAS_BACKEND=jax; weights, cards, logs in $OUT
#   bench/gpu_train.sh unpack FILES_AT DEST   # here: what came back (read-only) -> DEST/NAME/{.keras,.json,logs}
#   bench/ship.sh DEST/EYE_NAME DEST/full_s1  # here: evaluate on PrivateTest, cards, README section
#
# The box has JAX, numpy 2 and Python 3.12 but no TensorFlow and no internet; ../shared does not travel,
# so `prepare` packs the faces (split and labels included) into .gpu/ (git-ignored); every band is cut
# from them there. PrivateTest never leaves this machine. Whole faces are 74 MB raw; xz after a
# vertical delta filter (rows are 48 bytes apart) brings them to 52 MB (`du -sh .gpu` after prepare).
# Dry run here (JAX on the CPU): LOCAL_DRY_RUN=1 PATH=/tmp/jaxenv/bin:$PATH OUT=/tmp/gout
#   EPOCHS_SCALE=0.05 SUBSET=300 BUDGET=120 bench/gpu_train.sh device
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITTED_WEIGHTS="inference/weights/eye_cnn.keras inference/weights/full_face_cnn.keras"

case "${1:-}" in
prepare)
  PY=${PY:-.venv/bin/python}
  mkdir -p .gpu/whl
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
  "$PY" -m inference build-eye-db --fer2013 ../shared/data/fer2013/fer2013.csv.gz --band full --out .gpu/db --samples 1
  "$PY" - <<'PY'
import io, lzma, numpy as np
with np.load(".gpu/db/eye_db.npz") as db:
    keep = db["splits"] != 2  # 0 Training, 1 PublicTest, 2 PrivateTest (scored here, never sent)
    arrays = {k: (db[k][keep] if k in ("images", "labels", "splits") else db[k]) for k in db.files}
buffer = io.BytesIO()
np.savez(buffer, **arrays)
filters = [{"id": lzma.FILTER_DELTA, "dist": 48}, {"id": lzma.FILTER_LZMA2, "preset": 9}]
with lzma.open(".gpu/faces.npz.xz", "wb", format=lzma.FORMAT_XZ, filters=filters) as out:
    out.write(buffer.getvalue())
PY
  rm -rf .gpu/db
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .gpu/whl keras namex optree
  du -sh .gpu
  ;;
travel)
  git rm -q --cached $COMMITTED_WEIGHTS
  for f in $COMMITTED_WEIGHTS; do grep -qx "/$f" .git/info/exclude || echo "/$f" >> .git/info/exclude; done
  # until `home`, a commit would delete the weights from the repository: refuse commits
  mkdir -p .git/hooks
  printf '#!/bin/sh\necho "bench/gpu_train.sh travel is in effect: run bench/gpu_train.sh home before committing" >&2\nexit 1\n' \
    > .git/hooks/pre-commit
  chmod +x .git/hooks/pre-commit
  echo "what travels: $(( ($(git ls-files -z | xargs -0 cat | wc -c) + $(du -sb .gpu | cut -f1)) / 1048576 )) MiB of 64"
  ;;
home)
  git reset -q -- $COMMITTED_WEIGHTS
  for f in $COMMITTED_WEIGHTS; do sed -i "\#^/$f\$#d" .git/info/exclude; done
  rm -f .git/hooks/pre-commit
  git status --short
  ;;
unpack)
  mkdir -p "$3" && cp -r "$2"/. "$3"/ && chmod -R u+w "$3" && tar xzf "$3/meta.tar.gz" -C "$3"
  grep -h "runs by PublicTest" "$3/train.log" || true
  ;;
device)
  : "${OUT:?run this on the device box, where OUT is set}"
  START=$(date +%s)  # TOTAL (540 s): when training must end, counted from here (timeout 590 leaves 50 s to pack up)
  if [ -z "${LOCAL_DRY_RUN:-}" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/whl/*.whl
    export PYTHONPATH=/tmp/site:$PWD
  else
    export PYTHONPATH=$PWD
  fi
  export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
  python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('.gpu/faces.npz.xz'), open('/tmp/faces.npz', 'wb'))"
  exec > >(tee "$OUT/train.log") 2>&1
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no GPU here"
  python3 -c "import jax, keras, numpy; print('jax', jax.__version__, 'keras', keras.__version__, 'numpy', numpy.__version__, jax.devices())"
  # what augmentation costs a step here (Keras' own layers: for the record, bounded in time); on the GPU,
  # stop at once when EyeAugment is far too slow (a 64-128-256 step takes ~7 ms on an H200 without it)
  timeout 75 python3 bench/augment_cost.py --steps 5 2>&1 | grep -E "backend|ms/step" || true
  FAIL_ABOVE=$([ -z "${LOCAL_DRY_RUN:-}" ] && echo "--fail-above 40" || true)
  python3 bench/augment_cost.py --only-eye --steps 20 $FAIL_ABOVE > /tmp/augment_gate.txt 2>&1 \
    || { cat /tmp/augment_gate.txt; echo "augmentation preflight failed: not training"; exit 1; }
  BUDGET=${BUDGET:-$(( ${TOTAL:-540} - ($(date +%s) - START) ))} DATA=/tmp/faces.npz python3 bench/gpu_train.py
  ;;
*)
  sed -n 2,18p "$0"
  exit 2
  ;;
esac
