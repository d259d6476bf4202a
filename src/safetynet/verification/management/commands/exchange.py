"""`safetynet exchange …`: department data exchange from the command line.

safetynet exchange samples --out DIR [--load] [--population N]
safetynet exchange upload SOURCE FILE --as USER [--encoding gbk] [--valid-only] [--period YYYY-MM]
safetynet exchange assign USER SOURCE      # let a liaison upload a source
safetynet exchange formats --out docs/data-exchange
safetynet exchange uploads                 # recent uploads
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safetynet.accounts.models import User
from safetynet.accounts.roles import Role
from safetynet.audit.services import SYSTEM
from safetynet.core.errors import SafetynetError
from safetynet.verification.sources import SOURCES, format_markdown

# The demo's liaison accounts and the source each uploads.
DEMO_LIAISONS = {"dept_yibao": "medical"}


class Command(BaseCommand):
    help = "部门数据交换：样例数据、上传、联络员授权、格式文档。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("samples", help="生成全县样例部门数据（与名册一致）")
        s.add_argument("--out", required=True)
        s.add_argument("--population", type=int, default=206_892)
        s.add_argument("--seed", type=int, default=20260501)
        s.add_argument("--load", action="store_true", help="生成后以管理员身份上传入库")
        s.add_argument("--as", dest="as_user", default="")
        u = sub.add_parser("upload", help="上传一个部门数据文件")
        u.add_argument("source", choices=sorted(SOURCES))
        u.add_argument("file")
        u.add_argument("--as", dest="as_user", required=True)
        u.add_argument("--encoding", default="auto")
        u.add_argument("--format", default="")
        u.add_argument("--valid-only", action="store_true")
        u.add_argument("--period", default="")
        a = sub.add_parser("assign", help="授权联络员上传某一来源")
        a.add_argument("username")
        a.add_argument("source", choices=sorted(SOURCES))
        f = sub.add_parser("formats", help="生成格式文档")
        f.add_argument("--out", default="docs/data-exchange")
        sub.add_parser("uploads", help="最近的上传记录")

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except SafetynetError as e:
            raise CommandError(e.message) from None

    def _user(self, username: str) -> User:
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"用户 {username} 不存在") from None
        user = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
        if user is None:
            raise CommandError("没有管理员账号：请用 --as 指定上传人")
        return user

    def _samples(self, opts):
        from safetynet.verification.samples import generate_samples
        from safetynet.verification.services import assign_liaison_source, upload_department_file

        result = generate_samples(Path(opts["out"]), population=opts["population"], seed=opts["seed"])
        self.stdout.write(f"样例数据：{result['residents']} 名居民")
        for source, (path, rows) in result["files"].items():
            self.stdout.write(f"  {SOURCES[source].label:8} {rows:>8} 行  {path}")
        for username, source in DEMO_LIAISONS.items():
            liaison = User.objects.filter(username=username, role=Role.DEPT_LIAISON).first()
            if liaison:
                assign_liaison_source(actor=SYSTEM, user=liaison, source=source)
        if opts["load"]:
            user = self._user(opts["as_user"])
            for source, (path, _) in result["files"].items():
                with open(path, "rb") as f:
                    outcome = upload_department_file(user=user, source=source, file=f, filename=path.name)
                self.stdout.write(f"  {SOURCES[source].label}: {outcome.upload.message}")

    def _upload(self, opts):
        from safetynet.verification.services import upload_department_file

        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        with open(path, "rb") as f:
            outcome = upload_department_file(
                user=self._user(opts["as_user"]),
                source=opts["source"],
                file=f,
                filename=path.name,
                encoding=opts["encoding"],
                fmt=opts["format"] or None,
                valid_only=opts["valid_only"],
                period=opts["period"] or None,
            )
        u = outcome.upload
        self.stdout.write(("（重复上传，未作更改）" if not outcome.created else "") + u.message)
        for e in u.errors[:50]:
            self.stdout.write(f"  第{e.get('row') or '—'}行 {e.get('column') or ''}：{e['reason']}")
        if u.error_count > 50:
            self.stdout.write(f"  …共{u.error_count}处错误，全部见 {u.errors_path}")
        if not u.loaded:
            raise CommandError("文件已拒收。")

    def _assign(self, opts):
        from safetynet.verification.services import assign_liaison_source

        assign_liaison_source(actor=SYSTEM, user=self._user(opts["username"]), source=opts["source"])
        self.stdout.write(f"{opts['username']} 可上传 {SOURCES[opts['source']].label}")

    def _formats(self, opts):
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        for source in SOURCES.values():
            (out / f"{source.code}.md").write_text(format_markdown(source), encoding="utf-8")
        self.stdout.write(f"已写入 {len(SOURCES)} 个格式文档到 {out}")

    def _uploads(self, opts):
        from safetynet.verification.models import Upload

        for u in Upload.objects.all()[:30]:
            self.stdout.write(
                f"{u.pk:>5} {u.uploaded_at:%Y-%m-%d %H:%M} {u.source_label:8} {u.status:9} {u.period:7} {u.rows_loaded:>8}行 {u.filename}"
            )
