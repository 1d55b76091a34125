"""deploy/compose.yaml is a valid Compose file that runs real NetSword commands with real configuration.

Docker is not available here, so the deployment was never run: this checks what can be checked without it — the
Compose Specification schema (the one check-jsonschema vendors), every NetSword service's command against the real
CLI parser, its configuration file and environment against the real loader (an unknown key or variable is an
error), the jobs file against the scheduler's loader, volumes and paths against each other and the Dockerfile."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from crawler.profile_loader import load_profile
from netsword.cli import build_parser
from netsword.config import Config, load_config
from scheduler.jobs_loader import load_jobs

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NETSWORD_IMAGE = "netsword:local"
_VARIABLE = re.compile(r"\$(?:\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


def env_file() -> dict[str, str]:
    """deploy/env.example as a user fills it in: every variable it names, given a value."""
    names = [line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
             if line and not line.startswith("#")]  # fmt: skip
    return {name: f"test-{name.lower()}" for name in names}


def interpolate(value: Any, env: dict[str, str], used: set[str]) -> Any:
    """Compose's interpolation of ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ in every string."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, used) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, used) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("bare")
        used.add(name)
        if match.group("op") in (":?", "?") and not env.get(name):
            raise AssertionError(f"${{{name}}} is required: {match.group('arg')}")
        return env.get(name) or (match.group("arg") if match.group("op") in (":-", "-") else "")

    parts = value.split("$$")
    return "$".join(_VARIABLE.sub(one, part) for part in parts)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    raw = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    used: set[str] = set()
    doc = interpolate(raw, env_file(), used)
    assert used == set(env_file()), "every variable the compose file uses is in env.example, and only those"
    return doc


def netsword_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if s.get("image") == NETSWORD_IMAGE}


def service_config(service: dict[str, Any]) -> Config:
    """The configuration a NetSword container reads: the mounted file and its environment."""
    env = {str(k): str(v) for k, v in (service.get("environment") or {}).items()}
    mounts = dict(reversed(v.split(":")[:2]) for v in service["volumes"] if v.startswith("./"))
    config_path = dockerfile_env()["NETSWORD_CONFIG"]
    return load_config(DEPLOY / mounts[config_path], env={k: v for k, v in env.items() if k != "NETSWORD_CONFIG"})


def dockerfile_env() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    found = re.search(r"^ENV (.+)$", text, re.M)
    assert found
    return dict(word.split("=", 1) for word in shlex.split(found.group(1)))


def test_the_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []
    expected = {"redis", "elasticsearch", "kibana", "worker", "writer", "ui", "scheduler"}
    assert expected <= set(compose["services"])
    for name, service in compose["services"].items():
        for needed in service.get("depends_on") or {}:
            assert needed in compose["services"], f"{name} depends on unknown service {needed}"


def test_every_netsword_service_runs_a_real_command(compose: dict[str, Any]) -> None:
    services = netsword_services(compose)
    assert {"worker", "writer", "ui", "scheduler"} <= set(services)
    commands = {}
    for name, service in services.items():
        build = service["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        args = build_parser().parse_args(service["command"])  # SystemExit (a failure) if the CLI refuses it
        assert callable(args.func)
        commands[name] = service["command"][0]
    assert (commands["worker"], commands["writer"], commands["ui"], commands["scheduler"]) == (
        "worker", "writer", "serve", "schedule",
    )  # fmt: skip


def test_every_setting_and_variable_is_a_real_configuration_key(compose: dict[str, Any]) -> None:
    for name, service in netsword_services(compose).items():
        cfg = service_config(service)  # ConfigError for an unknown key, section or NETSWORD_* variable
        assert cfg.distributed.redis_password, f"{name}: no Redis password"
    parsed = tomllib.loads((DEPLOY / "netsword.toml").read_text())
    assert not any("secret" in key or "password" in key for section in parsed.values() for key in section)


def test_addresses_volumes_and_paths_fit_together(compose: dict[str, Any]) -> None:
    services = compose["services"]
    declared = set(compose["volumes"])
    used: set[str] = set()
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source, target = volume.split(":")[:2]
            if source.startswith("./"):
                assert (DEPLOY / source).is_file(), f"{name}: {source} is not in deploy/"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared, "every declared volume is used"
    cfg = service_config(services["worker"])
    for service in netsword_services(compose).values():
        targets = [PurePosixPath(v.split(":")[1]) for v in service["volumes"]]
        for path in (cfg.paths.var_dir, cfg.paths.evidence_dir, cfg.keys.dir, cfg.scheduler.jobs_file):
            assert any(PurePosixPath(path).is_relative_to(t) for t in targets), f"{path} is on no volume"
    assert not PurePosixPath(cfg.keys.dir).is_relative_to(cfg.paths.var_dir)  # keys never inside var_dir
    for url in (cfg.store_url, cfg.distributed.redis_url):
        assert urlsplit(url).hostname in services, f"{url}: not a compose service"
    ui_args = build_parser().parse_args(services["ui"]["command"])
    assert services["ui"]["ports"] == [f"127.0.0.1:{ui_args.port}:{ui_args.port}"]  # loopback only
    published = [p for s in services.values() for p in s.get("ports") or []]
    assert all(str(p).startswith("127.0.0.1:") for p in published)


def test_workers_crawl_what_the_scheduler_seeds(compose: dict[str, Any]) -> None:
    worker = build_parser().parse_args(compose["services"]["worker"]["command"])
    for profile in worker.profile:
        load_profile(profile)
    assert urlsplit(worker.base_url).hostname in compose["services"]
    cfg = service_config(compose["services"]["scheduler"])
    jobs = load_jobs(DEPLOY / PurePosixPath(cfg.scheduler.jobs_file).name)
    crawls = [job for job in jobs if job.kind == "crawl"]
    assert crawls and all(job.options.distributed for job in crawls)  # type: ignore[union-attr]
    assert {job.options.profile for job in crawls} <= set(worker.profile)  # type: ignore[union-attr]


def test_the_image_holds_every_package(compose: dict[str, Any]) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (DEPLOY / "Dockerfile").read_text(), re.M))
    assert packages <= copied
    mounts = [v.split(":")[1] for v in compose["services"]["ui"]["volumes"]]
    assert dockerfile_env()["NETSWORD_CONFIG"] in mounts
