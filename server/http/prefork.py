"""Several workers that share one loaded model: load once, then fork.

`mend serve --workers N` (N > 1) runs here. Gunicorn's arbiter loads the app in the parent
process (preload), then forks the workers; each runs the app with uvicorn's worker class.
The model, rules and classifiers are read once, and the forked workers share the parent's
memory pages until one of them writes to a page: a worker is ready as soon as it is forked,
and the model's weights are in memory once, not once per worker. uvicorn's own --workers
starts each worker as a fresh interpreter that loads everything again.

Each worker still opens its own room store and runs its own lifespan (server/http/app.py).
"""

from __future__ import annotations

import logging.config
from typing import Any, ClassVar

from fastapi import FastAPI
from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from server.http.app import create_app, settle
from server.service import Mend
from server.settings import Settings


class Worker(UvicornWorker):  # type: ignore[misc]
    # Our access log (server/http/middleware.py) replaces uvicorn's, which prints query strings.
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {**UvicornWorker.CONFIG_KWARGS, "access_log": False}


class Prefork(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> FastAPI:
        app = create_app(self.settings, Mend.load(self.settings))
        settle()
        return app


def serve(
    settings: Settings, host: str, port: int, workers: int, log_config: dict[str, Any]
) -> None:
    # Our "mend" loggers as with one worker; gunicorn sets up its own and uvicorn's.
    logging.config.dictConfig(log_config)
    Prefork(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": f"{__name__}.Worker",
            "preload_app": True,
            "control_socket_disable": True,  # no runtime control: nothing written to $HOME
            # A request takes milliseconds; a worker still busy 10 s after a stop signal is
            # stuck, and is killed rather than holding the stop for gunicorn's default 30 s.
            "graceful_timeout": 10,
        },
    ).run()
