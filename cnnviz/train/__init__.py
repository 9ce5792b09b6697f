"""Training: the engine, runs and their resume points, the job store and the workers that take its
runs (local processes or a Ray cluster), progress reports, the recipe ladder, transfer learning,
exporting a run as a standalone script, the Train page's state and its curves."""

__all__ = ["backends", "curves", "engine", "export", "jobs", "jobstore", "progress", "rayjobs", "rayremote",
           "recipes", "resume", "runs", "trainstate", "transfer", "worker"]
