"""`safetynet keys rotate`: re-encrypt personal data under a new key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from safetynet.core.errors import SafetynetError
from safetynet.registry.keyrotation import rotate_keys


class Command(BaseCommand):
    help = "个人信息加密密钥：rotate 生成新密钥并重新加密全部字段。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="轮换字段加密密钥")
        rotate.add_argument("--index-key", action="store_true", help="同时轮换身份证号码检索索引密钥")
        rotate.add_argument("--keep-old", action="store_true", help="保留旧密钥（仅可解密）")
        rotate.add_argument(
            "--force", action="store_true", help="已有部门交换数据时仍轮换索引密钥（数据须重新上传）"
        )

    def handle(self, *args, **opts):
        try:
            result = rotate_keys(
                new_index_key=opts["index_key"], drop_old=not opts["keep_old"], force=opts["force"]
            )
        except SafetynetError as exc:
            raise CommandError(exc.message) from exc
        except RuntimeError as exc:
            raise CommandError(f"密钥来自环境变量，请在环境中轮换：{exc}") from exc
        self.stdout.write(
            f"已用新密钥重新加密 {result['persons']} 人的个人信息；当前密钥 {result['field_keys']} 把。"
        )
