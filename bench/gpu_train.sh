#!/usr/bin/env bash
# Train the eye CNN on a lent GPU box in one call.
#
#   bench/gpu_train.sh prepare        # here: .gpu/ = eye bands of Training + PublicTest (.npz.xz) + Keras wheels
#   bench/gpu_train.sh device         # there (the `device` tool's run, carry [".gpu"]): trains with
#                                     # KERAS_BACKEND=jax, writes weights, cards and logs to $OUT
#   bench/ship.sh OUT/eye_sN          # here, on what came back: evaluate on PrivateTest, cards, README section
#
# The box has JAX, numpy 2 and Python 3.12 but no TensorFlow and no internet; ../shared does not travel,
# so `prepare` packs the bands (split and labels included) into .gpu/ (git-ignored). What travels is
# limited to 64 MiB with the repository (18 MB): eye bands fit (33 MB), whole faces do not (57 MB even
# with xz), so the full-face comparison model is not trained there.
# Settings (environment): EPOCHS (60), WIDTHS (64,128,256), SEEDS ("1337 7": one run each; ship the best
# on PublicTest).
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-60}
WIDTHS=${WIDTHS:-64,128,256}
SEEDS=${SEEDS:-1337 7}

case "${1:-}" in
prepare)
  PY=${PY:-.venv/bin/python}
  mkdir -p .gpu/whl
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
  "$PY" -m inference build-eye-db --fer2013 ../shared/data/fer2013/fer2013.csv.gz --band eye --out .gpu/db --samples 1
  # Training + PublicTest only (PrivateTest is scored here, never seen there), xz: FER faces barely
  # compress (whole faces: 82.7 MB raw, zip 79 MB, xz 57 MB).
  "$PY" - <<'PY'
import io, lzma, numpy as np
with np.load(".gpu/db/eye_db.npz") as db:
    keep = db["splits"] != 2  # 0 Training, 1 PublicTest, 2 PrivateTest
    arrays = {k: (db[k][keep] if k in ("images", "labels", "splits") else db[k]) for k in db.files}
buffer = io.BytesIO()
np.savez(buffer, **arrays)
with lzma.open(".gpu/faces.npz.xz", "wb", preset=6) as out:
    out.write(buffer.getvalue())
PY
  rm -rf .gpu/db
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .gpu/whl keras namex optree
  du -sh .gpu
  ;;
device)
  : "${OUT:?run this on the device box, where OUT is set}"
  if [ -z "${LOCAL_DRY_RUN:-}" ]; then  # LOCAL_DRY_RUN=1: try the script here (venv python3 on PATH, SUBSET=500)
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/whl/*.whl
  fi
  export PYTHONPATH=/tmp/site:$PWD KERAS_BACKEND=jax PYTHONUNBUFFERED=1
  python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('.gpu/faces.npz.xz'), open('/tmp/faces.npz', 'wb'))"
  exec > >(tee "$OUT/train.log") 2>&1  # one log: the tool brings back at most 8 files
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no GPU here"
  train() {  # DIR FILE BAND SEED  ->  $OUT/DIR/FILE.keras + .json, what bench/ship.sh takes
    mkdir -p "$OUT/$1"
    python3 -m inference train --data /tmp/faces.npz --band "$3" --widths "$WIDTHS" --epochs "$EPOCHS" \
      --seed "$4" --cache-dir '' --verbose 2 --out "/tmp/runs/$1" --export "$OUT/$1/$2.keras" ${SUBSET:+--subset "$SUBSET"}
  }
  for seed in $SEEDS; do train "eye_s$seed" eye_cnn eye "$seed"; done
  ;;
*)
  sed -n 2,12p "$0"
  exit 2
  ;;
esac
