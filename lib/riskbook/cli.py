"""The riskbook command line: run, validate, init, demo-data, kri list."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from riskbook.core import config, paths
from riskbook.core.errors import DataError, ParamError, RiskbookError


def _common(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--data", help="folder of canonical tables (orders.csv, …)")
    src.add_argument("--config", help="company file with the data source (default params/company.yaml)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="stop when the data has error-severity data-quality findings (pipelines that must not "
        "publish on bad data)",
    )
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="riskbook", description="Sales-operations risk packs from CRM/ERP exports.")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build the risk pack for a period")
    run.add_argument("--period", help="2026Q3, 2026-09 or 2026 (default: latest complete quarter in the data)")
    run.add_argument("--unit", action="extend", nargs="+", dest="units", help="unit(s) to build (default: all)")
    run.add_argument("--lang", choices=["en", "zh"], help="report language (default: company file, else en)")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel tasks (default: cores)")
    run.add_argument(
        "--scheduler",
        help="Dask distributed scheduler address (tcp://host:8786); its workers need "
        "riskbook installed and the data and outputs paths visible",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild every unit, even those whose data, parameters and code did not change",
    )
    run.add_argument("--out", default=str(config.OUTPUTS_DIR), help="outputs root (default outputs/)")
    run.add_argument(
        "--cell-timeout",
        type=float,
        default=1800.0,
        help="seconds a notebook cell may run before its unit fails (default 1800)",
    )
    _common(run)
    val = sub.add_parser("validate", help="check the data and parameters, run nothing")
    _common(val)
    demo = sub.add_parser("demo-data", help="write the demo company's tables")
    demo.add_argument("outdir", nargs="?", default="demo-data")
    demo.add_argument("--scale", type=int, default=1, help="multiply the rows by K (benchmarks)")
    demo.add_argument(
        "--units", type=int, default=6, help="a company of N branches (the six demo units copied, named by city)"
    )
    init = sub.add_parser("init", help="make a company folder (company.yaml, units/, register/) for your data")
    init.add_argument("folder", help="the company folder to create")
    _common(init)
    init.add_argument("--currency", help="currency of the amounts (CNY, EUR, USD …; default: none)")
    reg = sub.add_parser("register", help="the analysts' register")
    reg_sub = reg.add_subparsers(dest="register_command", required=True)
    imp = reg_sub.add_parser("import", help="read an analyst's edits of a register workbook into register/<unit>.yaml")
    imp.add_argument("workbook", help="a <unit>_<period>_risk_register.xlsx riskbook wrote, edited")
    imp.add_argument("--config", help="company file whose register/ folder receives it (default params/company.yaml)")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    imp.add_argument("--debug", action="store_true", help="show the traceback of an error")
    kri = sub.add_parser("kri", help="key risk indicators")
    kri.add_argument("action", choices=["list"])
    kri.add_argument(
        "--period-kind",
        choices=["month", "quarter", "year"],
        default="quarter",
        help="show the thresholds for reports of this kind (default quarter)",
    )
    kri.add_argument("--config", help="company file whose kri: settings apply (default: none, the defaults)")
    kri.add_argument("--unit", help="with --config: the unit whose own kri: settings apply too")
    _watch_parsers(sub)
    return ap


def _watch_parsers(sub: argparse._SubParsersAction) -> None:
    watch = sub.add_parser("watch", help="check the data as it arrives and alert by e-mail and chat")
    src = watch.add_mutually_exclusive_group()
    src.add_argument("--data", help="folder of canonical tables")
    src.add_argument("--config", help="company file with the data source and alerts: (default params/company.yaml)")
    watch.add_argument(
        "--out", default=str(config.OUTPUTS_DIR), help="outputs root: alerts.db and live/ (default outputs/)"
    )
    watch.add_argument("--unit", action="extend", nargs="+", dest="units", help="unit(s) to watch (default: all)")
    when = watch.add_mutually_exclusive_group()
    when.add_argument("--every", default="10m", help="check every 10m, 1h … until stopped (default 10m)")
    when.add_argument("--once", action="store_true", help="one check (cron, systemd timers): exit 4 when alerts opened")
    watch.add_argument("--debug", action="store_true", help="show the traceback of an error")
    al = sub.add_parser("alerts", help="list the alerts riskbook watch raised; acknowledge or snooze one")
    al.add_argument("--out", default=str(config.OUTPUTS_DIR), help="outputs root holding alerts.db (default outputs/)")
    al.add_argument("--all", action="store_true", help="resolved alerts too")
    al.add_argument("--ics", metavar="FILE", help="write the register's open actions as an iCalendar file")
    al.add_argument("--config", help="with --ics: company file whose register/ is read (default params/company.yaml)")
    al.add_argument("--debug", action="store_true", help="show the traceback of an error")
    al_sub = al.add_subparsers(dest="alerts_command")
    ack = al_sub.add_parser("ack", help="acknowledge an alert: no more reminders")
    ack.add_argument("id", type=int)
    ack.add_argument("--note", help="why, or what is being done")
    snooze = al_sub.add_parser("snooze", help="say nothing about an alert before a date (but its resolution)")
    snooze.add_argument("id", type=int)
    snooze.add_argument("--until", required=True, help="an ISO date, 2026-12-31")


def _strict(st: Path, meta: dict) -> None:
    errors = sum(x["count"] for x in meta.get("findings", []) if x["severity"] == "error")
    if errors:
        raise DataError(
            meta["source"],
            f"{errors:,} error-severity data-quality findings and --strict was given",
            fix="riskbook validate lists them; fix the export or run without --strict",
        )


def cmd_validate(args: argparse.Namespace) -> int:
    from riskbook.ingest.listing import findings_report
    from riskbook.ingest.store import read_meta
    from riskbook.settings.params import resolve_company
    from riskbook.settings.units import checked_settings
    from riskbook.stages.plan import open_store

    company = resolve_company(args.data, args.config)
    st = open_store(args.data, args.config)
    meta = read_meta(st)
    checked_settings(company, meta["units"])
    rows = ", ".join(f"{k} {v:,}" for k, v in meta["rows"].items())
    print(
        f"ok: {meta['source']}: {rows}; units {', '.join(meta['units'])}; "
        f"{meta['first_date']} to {meta['last_date']} (data through {meta['data_end']})"
    )
    print("\n".join(findings_report(st, meta)))
    if args.strict:
        _strict(st, meta)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from riskbook.demo import company as demo

    if args.scale < 1:
        raise ParamError(f"--scale must be 1 or more, but {args.scale} was passed")
    if not 1 <= args.units <= len(demo.BRANCHES):
        raise ParamError(f"--units must be from 1 to {len(demo.BRANCHES)}, but {args.units} was passed")
    t0 = time.perf_counter()
    out = demo.generate(Path(args.outdir), scale=args.scale, units=args.units)
    print(
        f"wrote the demo company (scale {args.scale}, {args.units} units) to {out} in {time.perf_counter() - t0:.1f} s"
    )
    if args.units != 6:
        print(f"report it with: riskbook run --config {out / 'company.yaml'}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from riskbook.run.scaffold import init

    if not (args.data or args.config):
        raise ParamError(
            "riskbook init needs --data EXPORTS (a folder of canonical tables) or --config FILE "
            "(a company file with sources:)"
        )
    written = init(Path(args.folder), args.data, args.config, args.currency)
    units = [p.stem for p in written if p.parent.name == "units"]
    print(
        f"wrote {Path(args.folder) / 'company.yaml'} and units/ for {', '.join(units) or 'no unit'}; edit the "
        f"names there, then: riskbook run --config {Path(args.folder) / 'company.yaml'}"
    )
    return 0


def cmd_kri(args: argparse.Namespace) -> int:
    from riskbook.kris import KINDS, REGISTRY, thresholds
    from riskbook.settings.params import resolve_company, unit_params

    settings: dict = {}
    if args.config:
        company = resolve_company(None, args.config)
        settings = unit_params(args.unit, company.settings, company.params_dir) if args.unit else company.settings
    elif args.unit:
        raise ParamError("kri list --unit needs --config (the company file of the unit)")
    kind = KINDS[args.period_kind]
    print(
        f"{'KRI':<30} {'family':<12}   {'amber':>8} {'red':>8} {'unit':<6} {'rule':<9} "
        f"thresholds for {args.period_kind} reports (measured over)"
    )
    for k in REGISTRY.values():
        th = thresholds(k, settings, kind)
        arrow = "↑" if th["direction"] == "up" else "↓"
        months = k.min_months if k.min_months > {"M": 1, "Q": 3, "Y": 12}[kind] else 0
        window = f"{months} months to date" if months else args.period_kind
        print(
            f"{k.id:<30} {k.family:<12} {arrow} {th['amber']:>8g} {th['red']:>8g} {k.unit:<6} {th['rule']:<9} "
            f"{k.title_en} ({window})"
        )
        facts = [f"applies to {'; '.join(k.applicability())}"] if k.applies else []
        facts += [f"counts {k.population}"] if k.population else []
        if facts:
            print(f"{'':<32}{' · '.join(facts)}")
    print(
        "\nrule: threshold = the thresholds alone; both = the threshold and a value outside the unit's usual "
        "range (its own periods before); baseline = the unit's usual range alone. README: KRIs."
    )
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from riskbook.settings.params import company_dir
    from riskbook.settings.register_import import import_workbook

    target, diff = import_workbook(Path(args.workbook), company_dir(None, args.config), write=not args.dry_run)
    if not diff:
        print(f"{target}: no change")
        return 0
    verb = "would change" if args.dry_run else "updated"
    print(f"{target}: {verb} {len(diff)} risk(s):")
    print("\n".join(diff))
    if not args.dry_run:
        print("the next riskbook run shows them")
    return 0


SCHEDULER = re.compile(r"((tcp|tls|ws|wss)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}")


def cmd_run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.jobs < 1:
        raise ParamError(f"--jobs must be 1 or more, but {args.jobs} was passed")
    if not args.cell_timeout > 0:
        raise ParamError(f"--cell-timeout must be a number of seconds above 0, but {args.cell_timeout} was passed")
    if args.scheduler is not None and not SCHEDULER.fullmatch(args.scheduler):
        raise ParamError(
            f"--scheduler {paths.one_line(args.scheduler)[:80]}: not a scheduler address (tcp://host:8786, "
            f"tls://host:8786 or host:8786)"
        )
    from riskbook.run.pool import early, kill

    pool = early(args.jobs, args.scheduler, args.force)  # kernels boot while the data is checked and planned
    try:
        return _run_planned(args, started, pool)
    except BaseException:
        if pool is not None:
            kill(pool)
        raise


def _run_planned(args: argparse.Namespace, started: float, pool: Any) -> int:
    """``riskbook run`` once its arguments are checked: the store, the plan, then the run, locked."""
    from riskbook.ingest.store import read_meta
    from riskbook.stages.plan import open_store, resolve

    st = open_store(args.data, args.config)  # validates the data before anything is written
    if args.strict:
        _strict(st, read_meta(st))
    out = Path(args.out).resolve()
    plan = resolve(args.data, args.config, args.period, args.lang, args.units, out, store=st)
    if plan.company.neutral:
        print(
            f"riskbook: no company file: reports are titled '{plan.company.name}', without a currency, unit ids as "
            f"names and no register (riskbook init DIR --data {args.data} makes one)",
            file=sys.stderr,
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParamError(f"--out {args.out}: cannot write there ({exc.strerror or exc})") from None
    from riskbook.run.command import run_locked
    from riskbook.run.lock import exclusive

    with exclusive(out):
        return run_locked(args, plan, started, pool)


def cmd_watch(args: argparse.Namespace) -> int:
    from riskbook.watch.command import watch

    return watch(args)


def cmd_alerts(args: argparse.Namespace) -> int:
    from riskbook.watch.command import alerts

    return alerts(args)


def main(argv: list[str] | None = None) -> int:
    from riskbook.core.imports import skip_unused

    skip_unused()
    args = parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return {
            "run": cmd_run,
            "validate": cmd_validate,
            "demo-data": cmd_demo,
            "kri": cmd_kri,
            "init": cmd_init,
            "register": cmd_register,
            "watch": cmd_watch,
            "alerts": cmd_alerts,
        }[args.command](args)
    except RiskbookError as exc:
        if debug:
            traceback.print_exc()
        print(f"riskbook: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("riskbook: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (riskbook kri list | head): nothing is wrong
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug or an input no check foresaw: one line, the traceback with --debug
        if debug:
            traceback.print_exc()
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"riskbook: error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
            f"(in {Path(where.filename).name}:{where.lineno}; run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
