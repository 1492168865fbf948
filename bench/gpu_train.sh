#!/usr/bin/env bash
# Train the eye CNN (and the same architecture on full faces) on a lent GPU box in one call.
#
#   bench/gpu_train.sh prepare        # here: .gpu/ = whole FER2013 faces (compact .npz) + Keras wheels for cp312
#   bench/gpu_train.sh device         # there (the `device` tool's run, carry [".gpu"]): trains with
#                                     # KERAS_BACKEND=jax, writes weights, cards and logs to $OUT
#   bench/ship.sh OUT/eye_sN OUT/full # here, on what came back: evaluate on PrivateTest, cards, README section
#
# The box has JAX, numpy 2 and Python 3.12 but no TensorFlow and no internet; ../shared does not travel,
# so `prepare` packs the faces (split and labels included) into .gpu/ (git-ignored, under the 64 MiB limit).
# Settings (environment): EPOCHS (60), WIDTHS (64,128,256), SEEDS ("1337 7": one eye run each; ship the
# best on PublicTest), FULL (1: also the full-face run).
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-60}
WIDTHS=${WIDTHS:-64,128,256}
SEEDS=${SEEDS:-1337 7}
FULL=${FULL:-1}

case "${1:-}" in
prepare)
  PY=${PY:-.venv/bin/python}
  mkdir -p .gpu/whl
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
  "$PY" -m inference build-eye-db --fer2013 ../shared/data/fer2013/fer2013.csv.gz --band full --out .gpu/db --samples 1
  mv .gpu/db/eye_db.npz .gpu/faces.npz && rm -rf .gpu/db
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
  exec > >(tee "$OUT/train.log") 2>&1  # one log: the tool brings back at most 8 files
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no GPU here"
  train() {  # DIR FILE BAND SEED  ->  $OUT/DIR/FILE.keras + .json, what bench/ship.sh takes
    mkdir -p "$OUT/$1"
    python3 -m inference train --data .gpu/faces.npz --band "$3" --widths "$WIDTHS" --epochs "$EPOCHS" \
      --seed "$4" --cache-dir '' --verbose 2 --out "/tmp/runs/$1" --export "$OUT/$1/$2.keras" ${SUBSET:+--subset "$SUBSET"}
  }
  for seed in $SEEDS; do train "eye_s$seed" eye_cnn eye "$seed"; done
  if [ "$FULL" = 1 ]; then train full full_face_cnn full 1337; fi
  ;;
*)
  sed -n 2,12p "$0"
  exit 2
  ;;
esac
