"""`auroraml status`: Aurora ML's batching counters per instance; `--watch` for rates; `--reset`."""

import sys
from typing import Optional

import typer

from . import examples, options as o

EXAMPLE = """
Examples:

  auroraml status --cluster ml-demo

  auroraml status --cluster ml-demo --watch --interval 5

  auroraml -o json status --cluster ml-demo --watch --count 12 > ml-counters.jsonl

  auroraml status --cluster ml-demo --prometheus-textfile /var/lib/node_exporter/textfile/aurora_ml.prom

  auroraml status --cluster ml-demo --watch --interval 60 --prometheus-textfile /var/lib/node_exporter/textfile/aurora_ml.prom

  auroraml status --cluster ml-demo --watch --interval 60 --publish cloudwatch --namespace AuroraML
"""
MAX_INTERVAL, MAX_TIMEOUT, MAX_COUNT = 86400.0, 3600.0, 10**9


def _count(value) -> int:
    if isinstance(value, int):
        return value
    if not (value.isascii() and value.isdigit() and len(value) <= 10 and 1 <= int(value) <= MAX_COUNT):
        raise typer.BadParameter(f"{value!r} is not a whole number from 1 to {MAX_COUNT}")
    return int(value)


COLUMNS = ("instance", "uptime", "logical_requests", "actual_requests", "batching_factor", "single_share",
           "cache_hit_ratio", "retries", "responses_missing")


@examples(EXAMPLE)
def status(
    ctx: typer.Context,
    instance: Optional[str] = typer.Option(None, "--instance", help="Only this DB instance of the cluster."),
    watch: bool = typer.Option(False, "--watch", help="Keep sampling: rates over each interval and totals since start."),
    interval: float = typer.Option(1.0, "--interval", parser=o.seconds(0.05, MAX_INTERVAL), metavar="SECONDS",
                                   help="Seconds between samples with --watch (0.05 to 86400)."),
    count: Optional[int] = typer.Option(None, "--count", parser=_count, metavar="N", help="Stop after this many samples."),
    timeout: float = typer.Option(10.0, "--timeout", parser=o.seconds(0.001, MAX_TIMEOUT), metavar="SECONDS",
                                  help="Seconds to wait for an instance to connect and answer before it counts as unreachable for that sample (up to 3600)."),
    reset: bool = typer.Option(False, "--reset", help="FLUSH STATUS on the chosen instances (asks first; --yes)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Consent to --reset without asking."),
    cluster: Optional[str] = o.CLUSTER, host: Optional[str] = o.HOST, port: Optional[int] = o.PORT,
    user: Optional[str] = o.USER, defaults_file: Optional[str] = o.DEFAULTS_FILE,
    iam_auth: bool = o.IAM_AUTH, secret_arn: Optional[str] = o.SECRET_ARN, ssl_ca: Optional[str] = o.SSL_CA,
    ssl_mode: Optional[o.SslMode] = o.SSL_MODE,
    prometheus_textfile: Optional[str] = typer.Option(None, "--prometheus-textfile", metavar="PATH", help="Also write the Prometheus text format to PATH (node_exporter's textfile collector reads *.prom), replaced atomically; with --watch, each sample. The directory must exist."),
    publish: Optional[str] = typer.Option(None, "--publish", metavar="cloudwatch", help="With --watch: send each interval's counter deltas and ratios to CloudWatch (PutMetricData, from a background thread)."),
    namespace: Optional[str] = typer.Option(None, "--namespace", metavar="NAME", help="With --publish: the CloudWatch namespace. [default: AuroraML]"),
) -> int:
    """Read the Aurora_ml_* counters on every instance: batching factor, single calls, cache hits, retries."""
    from ..core.errors import EXIT_DATABASE, EXIT_OK, UsageError
    from ..core.watch import Watcher

    app = ctx.obj
    fmt = app.out.format
    if watch and fmt == "prometheus":
        raise UsageError("--watch with -o prometheus is not a thing",
                         "run `auroraml -o prometheus status` from cron, or `status --watch --prometheus-textfile PATH`")
    textfile = _textfile(prometheus_textfile)
    namespace = _publishing(publish, namespace, watch)
    base = o.connection_request(app, o.ConnectionOptions(
        cluster=cluster, host=host, port=port, user=user, defaults_file=defaults_file, iam_auth=iam_auth,
        secret_arn=secret_arn, ssl_ca=ssl_ca, ssl_mode=ssl_mode))
    targets = _targets(app, base, instance, timeout)
    if reset:
        _reset(app, targets, yes, base.cluster)
    watcher = Watcher(targets)
    publisher = _publisher(app, namespace, base.cluster) if namespace else None
    try:
        if not watch:
            doc = watcher.tick()
            if textfile is not None:
                _write_textfile(app, textfile, doc, base.cluster, strict=True)
            _one_shot(app, doc, base.cluster, watcher)
            return EXIT_OK if all(r["reachable"] for r in doc["instances"]) else EXIT_DATABASE
        hooks = []
        if textfile is not None:
            said: dict = {}
            hooks.append(lambda doc: _write_textfile(app, textfile, doc, base.cluster, said=said))
        if publisher is not None:
            hooks.append(lambda doc: _submit(app, publisher, doc))
        return _watch(app, watcher, interval, count, hooks)
    finally:
        watcher.close_all()
        if publisher is not None:
            _close_publisher(app, publisher)


def _textfile(path: Optional[str]):
    from ..core.prometheus import check_textfile

    if path is None:
        return None
    return check_textfile(path)


def _write_textfile(app, target, doc: dict, cluster: Optional[str], strict: bool = False,
                    said: Optional[dict] = None) -> None:
    """The sample into the textfile, atomically. Once: a failure is the command's error; with
    --watch: a warning (when it changes), and the watch goes on."""
    from ..core.errors import UsageError
    from ..core.prometheus import exposition, write_textfile

    try:
        write_textfile(target, exposition(doc["instances"], cluster))
    except OSError as exc:
        message = f"could not write {target}: {exc.strerror or exc}"
        if strict:
            raise UsageError(message, "check the directory's permissions and free space") from exc
        if said is not None and said.get("last") != message:
            app.out.warn(message)
        if said is not None:
            said["last"] = message
    else:
        if said is not None:
            said["last"] = None


def _publishing(publish: Optional[str], namespace: Optional[str], watch: bool) -> Optional[str]:
    """The CloudWatch namespace to publish into, or None; every refusal before anything is read."""
    from ..core.errors import UsageError
    from ..core.publish import DEFAULT_NAMESPACE, check_namespace

    if publish is None:
        if namespace is not None:
            raise UsageError("--namespace is for --publish cloudwatch", "add --watch --publish cloudwatch, or drop --namespace")
        return None
    if publish != "cloudwatch":
        raise UsageError(f"cannot publish to {publish!r}", "choose from: cloudwatch")
    if not watch:
        raise UsageError("--publish sends the counters' deltas over each interval, and one sample has none",
                         "add --watch --interval 60 (and --count N to stop after N samples)")
    return check_namespace(namespace if namespace is not None else DEFAULT_NAMESPACE)


def _publisher(app, namespace: str, cluster: Optional[str]):
    from ..core.publish import CloudWatchPublisher

    app.aws.client("cloudwatch")  # the region and the AWS configuration checked before the first sample
    return CloudWatchPublisher(lambda: app.aws.client("cloudwatch"), namespace, cluster)


def _submit(app, publisher, doc: dict) -> None:
    publisher.submit(doc)  # never waits on AWS
    for note in publisher.notes():
        app.out.warn(note)


def _close_publisher(app, publisher) -> None:
    publisher.close()
    for note in publisher.notes():
        app.out.warn(note)
    app.out.progress(f"sent {publisher.sent} data point(s) to CloudWatch namespace {publisher.namespace} "
                     f"in {publisher.calls} PutMetricData call(s)")


def _targets(app, base, only: Optional[str], timeout: float):
    from dataclasses import replace

    from ..core import db, status as st
    from ..core.cluster import instance_endpoints
    from ..core.errors import UsageError
    from ..core.watch import Target

    if base.host:
        where = [(f"{base.host}:{base.port or 3306}", base.host, base.port or 3306)]
    elif base.cluster:
        where = instance_endpoints(app.aws, base.cluster)
        if only:
            where = [w for w in where if w[0] == only]
            if not where:
                raise UsageError(f"no instance {only!r} in cluster {base.cluster}", "drop --instance or check its name")
    else:
        raise UsageError("no cluster or host", "pass --cluster ID (every instance) or --host")

    def opener(address: str, port: int):
        request = replace(base, host=address, port=port)
        resolved = [db.resolve(request, app.aws)]  # now: a bad option file or secret stops the run before it starts

        def connect():
            target, creds = resolved.pop() if resolved else db.resolve(request, app.aws)
            if not request.iam_auth:  # an IAM token opens connections for 15 minutes: each reconnect makes a new one
                resolved.append((target, creds))
            return st.open_aurora(lambda: db.connect(target, creds, timeout), f"{address}:{port}")

        return connect

    return [Target(name, opener(address, port)) for name, address, port in where]


def _reset(app, targets, yes: bool, cluster: Optional[str]) -> None:
    from ..core import db, journal
    from ..core.errors import UsageError

    names = ", ".join(t.instance for t in targets)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"--reset clears the counters on {names} and stdin is not a terminal", "pass --yes")
        from ._plans import confirm  # not click's: it writes its prompt's last space onto stdout

        if not confirm(f"FLUSH STATUS on {names}?"):
            raise UsageError("reset declined: nothing was changed")
    with journal.Journal() as opened:  # opened before the first FLUSH: exit 3 and nothing flushed if it cannot be
        command = journal.command_summary("status", {}, cluster) + " --reset"
        for t in targets:
            conn = t.connect()
            try:
                who = db.scalar(conn, "SELECT CURRENT_USER()")
                recorder = journal.Recorder(opened, command=command, where={"server": t.instance}, who=who, cluster=cluster)
                intent = recorder.started("flush-status", t.instance, after="FLUSH STATUS")  # before the FLUSH
                try:
                    db.execute(conn, "FLUSH STATUS")
                except BaseException:
                    _record_failed(app, recorder, intent)
                    raise
            finally:
                conn.close()
            recorder.finished(intent, "done")
            app.out.progress(f"  done      FLUSH STATUS {t.instance}")


def _record_failed(app, recorder, intent) -> None:
    try:
        recorder.finished(intent, "failed")
    except Exception as exc:  # noqa: BLE001 - the FLUSH's own failure is the one to report
        app.out.warn(f"could not record the failed step in the change journal: {exc}")


def _one_shot(app, doc: dict, cluster: Optional[str], watcher) -> None:
    from ..core import status as st

    reached = [r for r in doc["instances"] if r["reachable"]]
    total = st.total([r["counters"] for r in reached])
    doc = {"command": "status", "cluster": cluster, **doc, "total": {"counters": total, "derived": st.derived(total)}}
    if app.out.format == "prometheus":
        from ..core.prometheus import exposition

        sys.stdout.write(exposition(doc["instances"], cluster))
        return
    rows = [_row(r) for r in doc["instances"]] + [_row({"instance": "total", "uptime": None, **doc["total"]})]
    app.out.document(doc, title=f"Aurora ML counters{' on ' + cluster if cluster else ''}", rows=rows, columns=COLUMNS)
    for r in doc["instances"]:
        if r["note"]:
            app.out.warn(f"{r['instance']}: {r['note']}")


def _row(r: dict) -> dict:
    counters, derived = r.get("counters") or {}, r.get("derived") or {}
    row = {"instance": r["instance"], "uptime": r.get("uptime")}
    for k in ("logical_requests", "actual_requests", "retries"):
        row[k] = "absent" if counters and counters.get(k) is None else counters.get(k, "-")
    for k in ("batching_factor", "single_share", "cache_hit_ratio"):
        v = derived.get(k)
        row[k] = "-" if v is None else (f"{v:.1f}x" if k == "batching_factor" else f"{v:.0%}")
    row["responses_missing"] = derived.get("responses_missing", "-")
    if not r.get("reachable", True):
        row["uptime"] = "access denied" if (r.get("note") or "").startswith("access denied") else "unreachable"
    return row


def _watch(app, watcher, interval: float, count: Optional[int], hooks=()) -> int:
    if app.out.format == "table" and sys.stdout.isatty():
        emit = _live(app)
    elif app.out.format == "json":
        said: dict[str, str] = {}

        def emit(doc: dict) -> None:
            app.out.json({"command": "status", "watch": True, **doc}, line=True)  # one NDJSON line per sample
            for r in doc["instances"]:  # the payload has the notes; stderr says when one changes
                if r["note"] and r["note"] != said.get(r["instance"]):
                    app.out.warn(f"{r['instance']}: {r['note']}")
                said[r["instance"]] = r["note"]
    else:
        emit = _plain
    if hooks:  # the textfile and CloudWatch: after the sample is shown
        emit = _then(emit, hooks)
    from ..core.errors import EXIT_OK, DatabaseError, exit_code_for

    interrupted = None
    try:
        watcher.run(interval, count, emit)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (cli.main): the summary, then 130 or 143
        interrupted = exc
    finally:
        getattr(emit, "stop", lambda: None)()
    summary = ", ".join(f"{t.instance}: {t.since_start.get('logical_requests') or 0} logical / "
                        f"{t.since_start.get('actual_requests') or 0} actual requests" for t in watcher.targets)
    app.out.progress(f"watched {watcher.ticks} sample(s) — since start: {summary}")
    if interrupted is not None:
        return exit_code_for(interrupted)
    if not watcher.read_any:
        notes = "; ".join(f"{t.instance}: {t.note}" for t in watcher.targets)
        raise DatabaseError(f"no instance could be read in {watcher.ticks} sample(s): {notes}",
                            "check --host/--port (or the cluster's instances), the credentials, and that the "
                            "database accepts connections from here")
    return EXIT_OK


def _then(emit, hooks):
    def both(doc: dict) -> None:
        emit(doc)
        for hook in hooks:
            hook(doc)

    both.stop = getattr(emit, "stop", lambda: None)  # type: ignore[attr-defined]
    return both


RATES = ("logical_requests", "actual_requests", "retries")  # per second over the interval, in plain lines


def _plain(doc: dict) -> None:
    """`--watch -o table` off a terminal: one line per instance per sample, `key=value` pairs
    (logfmt) always in the same order: time, instance, reachable, uptime, each counter (`absent`
    when the engine lacks it), the derived figures, the rates per second over the interval (`-`
    on the first sample), and the note in double quotes. An instance not read this sample:
    `reachable=no` and its note. `grep`, `awk` and log shippers take it as it is."""
    import json

    from ..core import status as st
    from ..core.output import printable

    def number(v) -> str:
        return "-" if v is None else (str(v) if isinstance(v, int) else f"{v:.3f}".rstrip("0").rstrip("."))

    for r in doc["instances"]:
        words = [f"time={doc['time']}", f"instance={printable(r['instance'], one_line=True)}"]
        note = printable(json.dumps(r["note"] or "", ensure_ascii=False), one_line=True)  # quoted, escaped
        if not r["reachable"]:
            print(" ".join([*words, "reachable=no", f"note={note}"]), flush=True)
            continue
        counters, derived, rates = r["counters"] or {}, r["derived"] or {}, r["rates"] or {}
        words += ["reachable=yes", f"uptime={number(r['uptime'])}"]
        words += [f"{k}={'absent' if counters.get(k) is None else counters[k]}" for k in st.SHORT]
        words += [f"{k}={number(v)}" for k, v in derived.items()]
        words += [f"{k}_per_s={number(rates.get(k))}" for k in RATES]
        print(" ".join([*words, f"note={note}"]), flush=True)


LIVE_COLUMNS = ("instance", "uptime", "logical/s", "actual/s", "batching", "single", "cache hits", "retries/s", "note")


def _live(app):
    """The live table on a terminal, redrawn each sample at the terminal's width as `-o table`
    prints a table (core/output.py): nothing cut; one block per instance when it is too narrow."""
    from rich.console import Console
    from rich.live import Live

    live = Live(console=Console(color_system="auto" if app.out.color else None), auto_refresh=False)
    live.start()

    def emit(doc: dict) -> None:
        rows = []
        for r in doc["instances"]:
            rates, derived = r.get("rates") or {}, r.get("derived") or {}
            f = lambda v, spec="{:.1f}": "-" if v is None else spec.format(v)  # noqa: E731
            rows.append(dict(zip(LIVE_COLUMNS, (
                r["instance"], str(r.get("uptime", "-")), f(rates.get("logical_requests")), f(rates.get("actual_requests")),
                f(derived.get("batching_factor"), "{:.1f}x"), f(derived.get("single_share"), "{:.0%}"),
                f(derived.get("cache_hit_ratio"), "{:.0%}"), f(rates.get("retries")), r.get("note") or ""))))
        live.update(app.out.renderable(rows, LIVE_COLUMNS, title=f"Aurora ML counters — {doc['time']}",
                                       width=live.console.width), refresh=True)

    emit.stop = live.stop  # type: ignore[attr-defined]
    return emit
