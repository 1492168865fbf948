#!/usr/bin/env bash
# Place trained weights in inference/weights, evaluate them on PrivateTest with the CLI, complete
# the model cards and write inference/weights/README-section.md, a draft of the README's eye-model section
# from the measured output (paste what applies into README.md; the draft itself is not committed).
# Usage: bench/ship.sh EYE_RUN_DIR [FULL_FACE_RUN_DIR]   (run from the repo root, venv active)
set -euo pipefail
EYE_RUN=$1
FULL_RUN=${2:-}
DATA=../shared/data/fer2013/fer2013.csv.gz
W=${W:-inference/weights}  # override to try the script elsewhere
mkdir -p "$W/eye_db" data
cp "$EYE_RUN/eye_cnn.keras" "$EYE_RUN/eye_cnn.json" "$W/"
python -m inference evaluate --weights "$W/eye_cnn.keras" --data "$DATA" --split PrivateTest --record \
  2>/dev/null | tee data/eval_eye.txt
FULL_ARGS=()
if [ -n "$FULL_RUN" ]; then
  cp "$FULL_RUN/full_face_cnn.keras" "$FULL_RUN/full_face_cnn.json" "$W/"
  python -m inference evaluate --weights "$W/full_face_cnn.keras" --data "$DATA" --split PrivateTest --record \
    2>/dev/null | tee data/eval_full.txt
  FULL_ARGS=(--full "$W/full_face_cnn.json")
fi
if [ -f data/band_measure.json ]; then cp data/band_measure.json "$W/band_measurement.json"; fi  # else: the committed one
python bench/finalize_cards.py --eye "$W/eye_cnn.json" "${FULL_ARGS[@]}" --band-measure "$W/band_measurement.json" >/dev/null
if [ -d data/eye_db ]; then cp data/eye_db/mosaic_*.png data/eye_db/counts.md "$W/eye_db/"; fi

card() { python -c "import json,sys; c=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
WIDTHS=$(card $W/eye_cnn.json '",".join(map(str, c["config"]["model"]["widths"]))')
PREV=$(card $W/eye_cnn.json 'c.get("continued_from") or ""')
FIRST_EPOCHS=$(card $W/eye_cnn.json 'c["epochs"]')
if [ -n "$PREV" ]; then FIRST_EPOCHS=$(card $W/eye_cnn.json 'c["stages"][0]["epochs"]'); fi
RUNS='c.get("stages", []) + [{"epochs": c["epochs"], "peak_lr": c["config"]["peak_lr"], "seconds_per_epoch": c["seconds_per_epoch"]}]'
EPOCH_CHAIN=$(card $W/eye_cnn.json '" + ".join(str(r["epochs"]) for r in '"$RUNS"')')  # e.g. 40 + 16 + 22
LR_CHAIN=$(card $W/eye_cnn.json '", then ".join(str(r["peak_lr"]) for r in '"$RUNS"')')
SECONDS_CHAIN=$(card $W/eye_cnn.json '", ".join(str(r["seconds_per_epoch"]) for r in '"$RUNS"')')
{
  echo "## Eye-region expression model"
  echo
  echo "EyeClass classifies expressions from the eye band alone: rows $(card $W/eye_cnn.json 'c["band"]["top"]')-$(card $W/eye_cnn.json 'c["band"]["bottom"]') (eyes and brows, full width) of the aligned 48x48 FER2013 face."
  echo "The default weights are \`inference/weights/eye_cnn.keras\` (model card: \`eye_cnn.json\`, $(du -h $W/eye_cnn.keras | cut -f1))."
  echo
  echo "### Eye database (\`python -m inference build-eye-db\`)"
  echo
  echo '```'
  echo "python -m inference build-eye-db --fer2013 ../shared/data/fer2013/fer2013.csv.gz --out data/eye_db"
  echo '```'
  echo
  echo "Faces per class and split (\`inference/weights/eye_db/counts.md\`; sample mosaics per class: \`inference/weights/eye_db/mosaic_<label>.png\`):"
  echo
  cat data/eye_db/counts.md
  echo
  echo "### Band choice"
  echo
  echo "MediaPipe Face Mesh on 600 upscaled Training faces (\`python bench/measure_band.py\`), rows in the 48x48 frame (percentiles):"
  echo
  echo '```'
  cat "$W/band_measurement.json"
  echo
  echo '```'
  echo
  echo "Rows 4-32 hold the brows and eyes with a margin below the eyes for alignment error; in reference runs of the same recipe the taller band 4-32 beat rows 6-30 (65.3% vs 64.9% PrivateTest after 60 epochs)."
  echo
  echo "### Training (\`python -m inference train\`)"
  echo
  echo "VGG-style CNN, 3 blocks of two 3x3 convs ($(card $W/eye_cnn.json '"-".join(map(str, c["config"]["model"]["widths"]))') channels) + BN + dropout, dense 256 head; SGD (Nesterov) one-cycle (linear warm-up, cosine decay, peak lr $LR_CHAIN$([ -n "$PREV" ] && echo " in the successive runs")), label smoothing 0.1, class weights (inverse frequency)^0.5 for the imbalance (disgust: 436 training faces), augmentation: flip, shift +-8%, rotation +-9 deg, brightness, contrast; flip test-time averaging. Selected on PublicTest only; seeded; resumable (rerun the same command)."
  echo
  echo '```'
  echo "python -m inference train --data ../shared/data/fer2013/fer2013.csv.gz --out data/runs/eye \\"
  echo "    --band eye --epochs $FIRST_EPOCHS --widths $WIDTHS --bf16 --export data/runs/eye/eye_cnn.keras"
  if [ -n "$PREV" ]; then
    echo "# ... then one more one-cycle per stage in the card's \`stages\`, each from the weights before; the last one:"
    echo "python -m inference train --data ../shared/data/fer2013/fer2013.csv.gz --out data/runs/eye_more \\"
    echo "    --band eye --epochs $(card $W/eye_cnn.json 'c["epochs"]') --lr $(card $W/eye_cnn.json 'c["config"]["peak_lr"]') --widths $WIDTHS$(card $W/eye_cnn.json '" --bf16" if c["config"]["bfloat16"] else ""') --seed $(card $W/eye_cnn.json 'c["config"]["seed"]') \\"
    echo "    --init-weights $PREV --export data/runs/eye_more/eye_cnn.keras"
  fi
  echo '```'
  echo
  echo "Measured on $(card $W/eye_cnn.json 'c["hardware"]["cpu"]') ($(card $W/eye_cnn.json 'c["hardware"]["cpu_count"]') cores, shared with other jobs), Keras $(card $W/eye_cnn.json 'c["hardware"]["keras"]') on $(card $W/eye_cnn.json 'c["hardware"]["backend"]'), $(card $W/eye_cnn.json 'c["hardware"]["precision"]'): $(card $W/eye_cnn.json 'c["total_epochs"]') epochs in all ($EPOCH_CHAIN), median $SECONDS_CHAIN s per epoch$([ -n "$PREV" ] && echo " in those runs (the card's \`stages\` says on which hardware); after the first run alone PrivateTest accuracy was $(card $W/eye_cnn.json 'c["stages"][0]["PrivateTest_accuracy"]')"). Best PublicTest epoch $(card $W/eye_cnn.json 'c["best_epoch"]') of the last run (PublicTest accuracy with flip averaging $(card $W/eye_cnn.json 'c["public_test"]["accuracy"]'))."
  echo
  echo "Precision and width were chosen by timing training steps on this CPU (\`bench/time_steps.py\`, synthetic data, CPU otherwise idle; output pasted):"
  echo
  echo '```'
  cat <<'TIMING'
tensorflow widths=32,64,128 batch=64 bf16=False rows=4,32 params=880423 ms/sample=2.007 s/epoch(28709)=58
tensorflow widths=32,64,128 batch=64 bf16=True rows=4,32 params=880423 ms/sample=1.102 s/epoch(28709)=32
tensorflow widths=64,128,256 batch=64 bf16=False rows=4,32 params=2329415 ms/sample=4.621 s/epoch(28709)=133
tensorflow widths=64,128,256 batch=64 bf16=True rows=4,32 params=2329415 ms/sample=2.746 s/epoch(28709)=79
jax widths=64,128,256 batch=64 bf16=False rows=4,32 params=2329415 ms/sample=13.602 s/epoch(28709)=391
TIMING
  echo '```'
  echo
  echo "With the CPU shared, a 64-128-256 epoch took 128-185 s, too slow for 40+ epochs in the time available, so the shipped model uses 48-96-192."
  echo
  echo "### Evaluation (\`python -m inference evaluate\`)"
  echo
  echo '```'
  echo "\$ python -m inference evaluate --weights inference/weights/eye_cnn.keras --data ../shared/data/fer2013/fer2013.csv.gz --split PrivateTest"
  cat data/eval_eye.txt
  echo '```'
  if [ -n "$FULL_RUN" ]; then
    echo
    echo "Same architecture and recipe on the full 48x48 face ($(card $W/full_face_cnn.json 'c["epochs"]') epochs, median $(card $W/full_face_cnn.json 'c["seconds_per_epoch"]') s per epoch; weights and card \`inference/weights/full_face_cnn.keras|json\`). This is not an equal-budget comparison: the full-face run got $(card $W/full_face_cnn.json 'c["epochs"]') epochs against the eye model's $(card $W/eye_cnn.json 'c["total_epochs"]') (the eye model had $(card $W/eye_cnn.json 'c["stages"][0]["PrivateTest_accuracy"] if c.get("stages") else "-"') after its first $FIRST_EPOCHS). In the reference runs the same recipe scored 68.2% on full faces after 30 epochs against 65.3% for rows 4-32 after 60, i.e. the eyes alone cost about 3 points there."
    echo
    echo '```'
    echo "\$ python -m inference train --data ../shared/data/fer2013/fer2013.csv.gz --out data/runs/full_face --band full --epochs $(card $W/full_face_cnn.json 'c["epochs"]') --widths $(card $W/full_face_cnn.json '",".join(map(str, c["config"]["model"]["widths"]))') --bf16 --export data/runs/full_face/full_face_cnn.keras"
    echo "\$ python -m inference evaluate --weights inference/weights/full_face_cnn.keras --data ../shared/data/fer2013/fer2013.csv.gz --split PrivateTest"
    cat data/eval_full.txt
    echo '```'
  fi
  echo
  ACC=$(card $W/eye_cnn.json 'c["evaluation"]["PrivateTest"]["accuracy"]')
  echo "Eye model PrivateTest accuracy $ACC: $(python -c "print('meets' if $ACC >= 0.64 else 'below')") the 0.64 target of issue 3 (aim 0.66)."
  echo "Reference: the \`fer\` package's full-face model scores 65.9% on PrivateTest of this data."
  echo
  echo "### Prediction (\`python -m inference predict\`)"
  echo
  echo '```'
  echo "python -m inference predict face1.png face2.jpg --aligned-face --json"
  echo '```'
  echo
  echo "Inputs must be face crops (FER/CK style): resized to 48x48, the card's band is cut, flip-averaged probabilities are printed per image (\`path\`, \`probabilities\` by label, top \`label\`)."
  echo "From Python: \`EyeClassifier.from_default().predict_bands(bands)\` (\`inference/classifier.py\`)."
} > "$W/README-section.md"
echo "wrote $W/README-section.md"
