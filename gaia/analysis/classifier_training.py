"""`gaia train-classifier`: fit the attribute classifier on a dataset's real training images and
measure its held-out accuracy per output.

    results/DATASET/classifier/classifier.pt            weights and configuration
    results/DATASET/classifier/classifier_metrics.json  held-out accuracy per attribute (or class);
                                                        on synthfaces, its own leakage on every
                                                        leakage pair (judge_check.py)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from gaia import __version__, paths
from gaia.analysis.classifier import AttributeClassifier, ClassifierConfig
from gaia.analysis.dependence import leakage_pairs
from gaia.analysis.judge_check import judge_leakage
from gaia.config import dataset_config
from gaia.data import synthfaces
from gaia.data.store import Split, load_split
from gaia.errors import GaiaError
from gaia.utils.artifacts import reading
from gaia.utils.batching import module_device
from gaia.utils.device import select_device
from gaia.utils.images import nchw_view, to_model_input
from gaia.utils.io import atomic_path, write_json
from gaia.utils.seeding import Stream, seeded_generator

log = logging.getLogger(__name__)
CPU = torch.device("cpu")


def classifier_targets(split: Split) -> tuple[tuple[str, ...], str, np.ndarray]:
    """What the classifier predicts on this dataset (output names and kind) and the targets."""
    if split.attribute_names:
        return tuple(split.attribute_names), "binary", split.attributes.to_numpy(np.float32)
    if "label" in split.labels:
        labels = split.labels["label"].to_numpy(np.int64)
        classes = int(split.manifest.get("n_classes", labels.max() + 1))
        return tuple(f"class_{c}" for c in range(classes)), "categorical", labels
    raise GaiaError("the dataset has neither binary attributes nor a class label to classify")


@torch.no_grad()
def predict(model: AttributeClassifier, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Output probabilities for uint8 NHWC images, in batches, on the model's device."""
    model.eval()
    device = module_device(model)
    out = []
    for start in range(0, len(images), batch_size):
        x = to_model_input(nchw_view(images[start : start + batch_size]), device)
        out.append(model.probabilities(x).cpu().numpy())
    return np.concatenate(out)


def accuracies(model: AttributeClassifier, images: np.ndarray, targets: np.ndarray) -> pd.Series:
    probabilities = predict(model, images)
    if model.cfg.kind == "binary":
        correct = (probabilities > 0.5) == targets.astype(bool)
        return pd.Series(correct.mean(axis=0), index=list(model.cfg.outputs))
    return pd.Series({"label": float((probabilities.argmax(1) == targets).mean())})


def fit_classifier(
    images: np.ndarray,
    targets: np.ndarray,
    cfg: ClassifierConfig,
    settings: dict[str, Any],
    device: torch.device = CPU,
    progress: bool = True,
) -> AttributeClassifier:
    """Adam on the classifier's loss for `settings["steps"]` seeded batches of the images."""
    torch.manual_seed(settings["seed"])
    model = AttributeClassifier(cfg).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
    data = nchw_view(images)
    labels = torch.as_tensor(np.array(targets))
    batch = settings["batch_size"]
    model.train()
    for step in tqdm(range(settings["steps"]), desc="classifier", disable=not progress):
        index = torch.randint(
            len(images),
            (batch,),
            generator=seeded_generator(settings["seed"], Stream.CLASSIFIER_BATCHES, step),
        )
        x = to_model_input(data[index], device)
        loss = model.loss(model(x), labels[index].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model.eval()


def train_classifier(params: dict[str, Any], dataset: str, progress: bool = True) -> dict[str, Any]:
    settings = params["analysis"]["classifier"]
    device = select_device(params["training"])
    train_split = load_split(paths.processed_dir(dataset), "train")
    test_split = load_split(paths.processed_dir(dataset), "test")
    outputs, kind, train_targets = classifier_targets(train_split)
    height, _, channels = train_split.images.shape[1:]
    cfg = ClassifierConfig(
        height, channels, outputs, kind, width=settings["width"], features=settings["features"]
    )
    model = fit_classifier(train_split.images, train_targets, cfg, settings, device, progress)
    test_targets = classifier_targets(test_split)[2]
    accuracy = accuracies(model, test_split.images, test_targets)
    metrics = {
        **{f"accuracy_{name}": float(value) for name, value in accuracy.items()},
        "accuracy_min": float(accuracy.min()),
        "test_images": len(test_split),
        "steps": settings["steps"],
        **check_judge(params, dataset, model, train_split),
    }
    with atomic_path(paths.classifier_file(dataset)) as tmp:
        torch.save(
            {
                "modules": {"classifier": {k: v.cpu() for k, v in model.state_dict().items()}},
                "config": cfg.to_dict(),
                "gaia_version": __version__,
            },
            tmp,
        )
    write_json(paths.classifier_metrics(dataset), metrics)
    below = accuracy[accuracy < settings["min_accuracy"]]
    if len(below):
        log.warning(
            "%s classifier: held-out accuracy below %.2f for %s; edits of these attributes are "
            "judged unreliably (render them more clearly or train longer)",
            dataset,
            settings["min_accuracy"],
            dict(below.round(3)),
        )
    log.info(
        "%s classifier: held-out accuracy %s",
        dataset,
        {k: round(float(v), 4) for k, v in accuracy.items()},
    )
    return metrics


def check_judge(
    params: dict[str, Any], dataset: str, model: AttributeClassifier, train: Split
) -> dict[str, float]:
    """The classifier's own leakage on the pairs the edits measure, where the dataset can
    render a face again with one attribute flipped (synthfaces); {} elsewhere."""
    cfg = dataset_config(params, dataset)
    if cfg["kind"] != "synthfaces" or not train.attribute_names:
        return {}
    dependent = leakage_pairs(train.attributes, params["analysis"]["edits"]["leakage_threshold"])
    count = params["analysis"]["classifier"]["judge_faces"]
    entropy = [params["analysis"]["classifier"]["seed"], int(Stream.JUDGE_CHECK)]
    faces = synthfaces.sample_faces(cfg, count, np.random.SeedSequence(entropy))

    def render(table: pd.DataFrame) -> np.ndarray:
        return synthfaces.render(table, cfg["resolution"], cfg["supersample"], progress=False)

    return judge_leakage(
        faces,
        render,
        lambda images: predict(model, images),
        list(model.cfg.outputs),
        [(source, target) for source, target, _ in dependent],
    )


def load_classifier(dataset: str, device: torch.device) -> AttributeClassifier:
    path = paths.classifier_file(dataset)
    if not path.is_file():
        raise GaiaError(
            f"{path}: missing; train it with `gaia train-classifier --dataset {dataset}`"
        )
    return load_classifier_file(path, device)


def load_classifier_file(path: Path, device: torch.device) -> AttributeClassifier:
    """The classifier saved at `path` by `train-classifier`, in eval mode on `device`."""
    with reading(path, "classifier file"):
        state = torch.load(path, map_location=device, weights_only=True)
        cfg = state["config"]
        model = AttributeClassifier(ClassifierConfig(**{**cfg, "outputs": tuple(cfg["outputs"])}))
        model.load_state_dict(state["modules"]["classifier"])
    return model.to(device).eval()
