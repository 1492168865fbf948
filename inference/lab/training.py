"""Training and evaluation of the eye CNN: resumable `fit`, flip test-time averaging, metrics.

A run folder holds `last.keras` (with optimizer state, for resuming), `best.keras` (best
PublicTest accuracy so far), `history.csv` and `state.json` (config, epochs done, seconds per epoch).
A weight-averaging run (`swa`) also keeps each epoch's weights and, at the end, `averaged.keras`.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np

from inference.classifier import predict_tta
from inference.geometry import Band
from inference.lab.averaging import Snapshots, accuracy, choose_average
from inference.lab.distill import DistillationLoss, load_soft_labels, targets
from inference.lab.fer2013 import FaceSet
from inference.lab.model import ModelConfig, build_model
from inference.lab.scores import score
from inference.labels import LABELS, NUM_CLASSES


@dataclass(frozen=True)
class TrainConfig:
    """One training run; the defaults are the recipe of docs/model.md, "Architecture and recipe"."""

    band: Band
    model: ModelConfig = field(default_factory=ModelConfig)
    epochs: int = 40
    batch_size: int = 64
    peak_lr: float = 0.05  # SGD one-cycle: linear warm-up, cosine decay to ~0
    warmup: float = 0.2  # fraction of all steps
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    class_weight_power: float = 0.5  # 0: no reweighting, 1: inverse frequency
    bfloat16: bool = False
    seed: int = 1337
    swa: bool = False  # constant learning rate after the warm-up, then average the epochs' weights
    teacher: str | None = None  # soft labels of the Training faces (inference/lab/distill.py), for distillation
    kd_alpha: float = 0.5  # weight of the teacher's distribution in the targets
    kd_temperature: float = 2.0
    kd_loss: str = "targets"  # "targets": mix the teacher into the targets; "logits": DistillationLoss

    def to_dict(self) -> dict:
        return {**asdict(self), "band": self.band.to_dict(), "model": self.model.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        return cls(**{**data, "band": Band.from_dict(data["band"]), "model": ModelConfig.from_dict(data["model"])})


def as_input(bands: np.ndarray) -> np.ndarray:
    """(N, h, w) uint8 -> (N, h, w, 1) float32 in 0..255, the model's input."""
    return bands.astype("float32")[..., None]


def class_weights(labels: np.ndarray, power: float) -> dict[int, float]:
    """(mean count / class count) ** power, scaled so the average training sample weighs 1."""
    counts = np.bincount(labels, minlength=NUM_CLASSES).astype(float)
    raw = np.where(counts > 0, (counts.mean() / np.maximum(counts, 1)) ** power, 0.0)
    raw /= (raw * counts).sum() / counts.sum()
    return {i: float(w) for i, w in enumerate(raw)}


def compile_model(model: keras.Model, config: TrainConfig, steps: int) -> None:
    warmup = max(1, int(config.warmup * steps))
    schedule = keras.optimizers.schedules.CosineDecay(
        config.peak_lr / 20,
        steps - warmup,
        alpha=1.0 if config.swa else 0.002,  # swa: constant after warm-up
        warmup_target=config.peak_lr,
        warmup_steps=warmup,
    )
    optimizer = keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True, weight_decay=config.weight_decay)
    loss = (
        DistillationLoss(config.kd_alpha, config.kd_temperature, config.label_smoothing)
        if config.kd_loss == "logits"
        else keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing)
    )
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])


class RunState(keras.callbacks.Callback):
    """Writes state.json after every epoch: epochs done, seconds each took, best PublicTest accuracy."""

    def __init__(self, path: Path, state: dict):
        super().__init__()
        self.path, self.state = path, state

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.state["epoch"] = epoch + 1
        self.state["seconds_per_epoch"].append(round(time.perf_counter() - self.started, 1))
        val = float(logs.get("val_accuracy", -1.0))
        if val > self.state["best_val_accuracy"]:
            self.state.update(best_val_accuracy=val, best_epoch=epoch + 1)
        self.path.write_text(json.dumps(self.state, indent=2))


def train(
    data: FaceSet,
    config: TrainConfig,
    run_dir: str | Path,
    verbose: str | int = "auto",
    init_weights: str | Path | None = None,
) -> dict:
    """Train on Training, select on PublicTest; resumes from `run_dir` when it holds a run.
    A new run may start from the weights of a trained model of the same shape (`init_weights`),
    e.g. a second, shorter one-cycle to continue a finished run."""
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    if config.bfloat16:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(config.seed)
    training, public = data.split("Training"), data.split("PublicTest")
    if len(training) == 0 or len(public) == 0:
        raise ValueError("training needs Training and PublicTest faces")
    steps = config.epochs * -(-len(training) // config.batch_size)
    state_path = run / "state.json"
    if state_path.exists() and (run / "last.keras").exists():
        state = json.loads(state_path.read_text())
        if state["config"] != config.to_dict():
            raise ValueError(f"{run}: holds a run with another configuration; use a new --out")
        model = keras.saving.load_model(run / "last.keras")
    else:
        state = {
            "config": config.to_dict(),
            "epoch": 0,
            "seconds_per_epoch": [],
            "best_val_accuracy": -1.0,
            "init_weights": str(init_weights) if init_weights else None,
        }
        model = build_model(config.band.shape, config.model)
        if init_weights:
            model.set_weights(keras.saving.load_model(init_weights, compile=False).get_weights())
        compile_model(model, config, steps)
    state.update(hardware=hardware(), train_size=len(training), val_size=len(public))
    callbacks = [
        keras.callbacks.ModelCheckpoint(run / "last.keras"),
        keras.callbacks.ModelCheckpoint(
            run / "best.keras",
            monitor="val_accuracy",
            mode="max",
            save_best_only=True,
            initial_value_threshold=state["best_val_accuracy"] if state["epoch"] else None,
        ),
        keras.callbacks.CSVLogger(run / "history.csv", append=True),
        RunState(state_path, state),
    ] + ([Snapshots(run / "snapshots")] if config.swa else [])
    teacher = load_soft_labels(config.teacher, training.labels) if config.teacher else None
    model.fit(
        as_input(training.images),
        targets(training.labels, teacher, config.kd_alpha, config.kd_temperature, config.kd_loss),
        batch_size=config.batch_size,
        epochs=config.epochs,
        initial_epoch=state["epoch"],
        validation_data=(as_input(public.images), targets(public.labels, None, 0, 1, config.kd_loss)),
        class_weight=class_weights(training.labels, config.class_weight_power),
        callbacks=callbacks,
        verbose=verbose,
    )
    if config.swa:
        average_snapshots(run, data, config, state)
    return state


def average_snapshots(run: Path, data: FaceSet, config: TrainConfig, state: dict) -> None:
    """Averages the epochs' weights (how many: chosen on PublicTest) into `averaged.keras`; export
    uses it when it beats the best single epoch on PublicTest (both flip-averaged)."""
    keras.mixed_precision.set_global_policy("float32")
    training, public = data.split("Training"), data.split("PublicTest")
    model = build_model(config.band.shape, config.model)
    snapshots = sorted((run / "snapshots").glob("*.npz"))
    last_k, by_k = choose_average(
        model, snapshots, as_input(training.images), public.images, public.labels, config.batch_size
    )
    model.save(run / "averaged.keras")
    single = accuracy(keras.saving.load_model(run / "best.keras", compile=False), public.images, public.labels)
    state["averaging"] = {
        "epochs": [len(snapshots) - last_k + 1, len(snapshots)],
        "public_test": by_k[last_k],
        "public_test_by_last_k": by_k,
        "best_single_epoch_public_test": round(single, 4),
        "used": by_k[last_k] > single,
    }
    (run / "state.json").write_text(json.dumps(state, indent=2))


def export(run_dir: str | Path, out_path: str | Path) -> keras.Model:
    """Copy the best weights (the best epoch, or the weight average when it scored higher) into a
    fresh float32 model without optimizer state (small, portable)."""
    run = Path(run_dir)
    state = json.loads((run / "state.json").read_text())
    config = TrainConfig.from_dict(state["config"])
    source = "averaged.keras" if state.get("averaging", {}).get("used") else "best.keras"
    trained = keras.saving.load_model(run / source, compile=False)
    keras.mixed_precision.set_global_policy("float32")
    model = build_model(config.band.shape, config.model)
    model.set_weights(trained.get_weights())
    model.save(out_path)
    return model


def hardware() -> dict:
    import os

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    accelerator = None
    if keras.backend.backend() == "jax":
        import jax

        device = jax.devices()[0]
        accelerator = None if device.platform == "cpu" else getattr(device, "device_kind", device.platform)
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "accelerator": accelerator,
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "precision": keras.mixed_precision.global_policy().name,
    }


# facts about the band, not about one training run: a model continued from another keeps them
CARRIED_KEYS = ("band_choice", "full_face_comparison")


def lineage(init_weights: str | None) -> dict:
    """What a warm restart inherits from the card of the model it started from: that model's stages
    with that model appended as the last one, its total epochs and the facts about the band."""
    card_path = Path(init_weights).with_suffix(".json") if init_weights else None
    if card_path is None or not card_path.exists():
        return {}
    parent = json.loads(card_path.read_text())
    private = parent.get("evaluation", {}).get("PrivateTest", {})
    stage = {
        "weights": init_weights,
        "epochs": parent.get("epochs"),
        "best_epoch": parent.get("best_epoch"),
        "peak_lr": parent.get("config", {}).get("peak_lr"),
        "teacher": parent.get("config", {}).get("teacher"),
        "seconds_per_epoch": parent.get("seconds_per_epoch"),
        "hardware": parent.get("hardware"),
        "PublicTest_accuracy": parent.get("public_test", {}).get("accuracy"),
        "PrivateTest_accuracy": private.get("accuracy"),
        "PrivateTest_macro_f1": private.get("macro_f1"),
    }
    return {
        "stages": parent.get("stages", []) + [stage],
        "total_epochs": parent.get("total_epochs") or parent.get("epochs") or 0,
        **{key: parent[key] for key in CARRIED_KEYS if key in parent},
    }


def write_card(model: keras.Model, state: dict, data: FaceSet, data_name: str, weights: Path) -> dict:
    """The model card beside the weights: what was trained on what, how long, how well (PublicTest)."""
    config = TrainConfig.from_dict(state["config"])
    public = data.split("PublicTest")
    seconds = state["seconds_per_epoch"]
    card = {
        "labels": list(LABELS),
        "band": config.band.to_dict(),
        "input": "uint8-range grayscale band (N, h, w, 1) cut from the aligned 48x48 face",
        "data": {
            "source": data_name,
            "train": "Training",
            "select": "PublicTest",
            "report": "PrivateTest",
            "train_size": state["train_size"],
        },
        "config": state["config"],
        "epochs": state["epoch"],
        "continued_from": state.get("init_weights"),
        "best_epoch": state["best_epoch"],
        "weight_averaging": state.get("averaging"),
        "hardware": state["hardware"],
        "seconds_per_epoch": round(float(np.median(seconds)), 1) if seconds else None,
        "public_test": score(public.labels, predict_tta(model, public.images).argmax(axis=1)).to_dict(),
        "test_time_augmentation": "mean of the band and its horizontal mirror",
    }
    inherited = lineage(state.get("init_weights"))
    card.update(inherited, total_epochs=inherited.get("total_epochs", 0) + state["epoch"])
    weights.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return card
