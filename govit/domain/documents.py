"""What may be uploaded (API.md 'Document kinds'): kind, format by content, size."""
import io
import zipfile

from .errors import UploadRefused

DOCUMENT_KINDS = {
    "proposal": "项目申报书", "data_catalog": "信息资源目录", "sharing_analysis": "信息资源共享分析篇",
    "feasibility_report": "可行性研究报告", "design_report": "初步设计报告",
    "design_deviation": "初步设计变更专章", "archive_acceptance": "档案验收意见",
    "crypto_assessment": "密码应用安全性评估报告", "reliability_statement": "产品安全可靠情况说明",
    "confidentiality_assessment": "保密测评报告", "acceptance_report": "验收报告",
    "performance_report": "绩效评价报告", "self_evaluation": "自评价报告",
    "post_evaluation": "后评价报告", "supervision_opinion": "监理意见", "user_opinion": "使用单位意见",
    "procurement": "采购文件", "contract": "合同文本", "other": "其他材料",
}
ALLOWED = "PDF、DOCX、XLSX、OFD 或图片（PNG、JPEG）"
_ZIP_MARKERS = {".docx": "word/", ".xlsx": "xl/", ".ofd": "OFD.xml"}
_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ofd": "application/ofd",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
}


def _zip_has(data: bytes, marker: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(n == marker or n.startswith(marker) for n in archive.namelist())
    except zipfile.BadZipFile:
        return False


def detect_type(filename: str, data: bytes) -> str:
    """The content type, judged by the bytes as well as the name; refuses anything else."""
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if ext not in _TYPES:
        raise UploadRefused(f"不支持的文件类型“{ext or '无扩展名'}”，请上传 {ALLOWED}")
    ok = {
        ".pdf": data.startswith(b"%PDF-"),
        ".png": data.startswith(b"\x89PNG\r\n\x1a\n"),
        ".jpg": data.startswith(b"\xff\xd8\xff"),
        ".jpeg": data.startswith(b"\xff\xd8\xff"),
    }.get(ext)
    if ext in _ZIP_MARKERS:
        ok = data.startswith(b"PK\x03\x04") and _zip_has(data, _ZIP_MARKERS[ext])
    if not ok:
        raise UploadRefused(f"文件“{filename}”的内容与扩展名不符或已损坏，请上传真实的 {ALLOWED}")
    return _TYPES[ext]


def check_upload(kind: str, filename: str, data: bytes, max_bytes: int) -> str:
    """Kind known, not empty, not too large, format real; returns the content type."""
    if kind not in DOCUMENT_KINDS:
        raise UploadRefused(f"未知的材料类型“{kind}”")
    if not data:
        raise UploadRefused("上传的文件是空的")
    if len(data) > max_bytes:
        raise UploadRefused(f"文件超过 {max_bytes // (1024 * 1024)} MiB 上限")
    return detect_type(filename, data)


# R-UPLOAD: an Office file (a zip) is judged by the sizes its directory declares, before inflating
MAX_INFLATED = 200 * 1024 * 1024  # what the entries may declare in all
MAX_RATIO = 200  # a declared inflation beyond this for an entry over 1 MiB is a zip bomb
MAX_ENTRIES = 2_000


def zip_excess(archive: zipfile.ZipFile, max_inflated: int = MAX_INFLATED, max_ratio: int = MAX_RATIO,
               max_entries: int = MAX_ENTRIES) -> tuple[str | None, int]:
    """("entries" | "inflated" | None, the declared inflated bytes) read from the zip's directory alone."""
    entries = archive.infolist()
    declared = sum(e.file_size for e in entries)
    if len(entries) > max_entries:
        return "entries", declared
    bomb = any(e.file_size > 1024 * 1024 and e.file_size > max_ratio * max(e.compress_size, 1) for e in entries)
    return ("inflated" if declared > max_inflated or bomb else None), declared
