#!/usr/bin/env python3
"""Build govit/letters/templates/<kind>.docx, the Word templates of the official documents (issue 21).

The templates are docxtpl (Jinja) documents: the province edits their wording, fonts and spacing in
Word without touching code; this script only makes the first version reproducible. Run it again to
start over: `python tools/build_letter_templates.py` (it overwrites the files)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document  # noqa: E402

from govit.domain.letters import KINDS  # noqa: E402
from govit.letters.layout import add_styles, apply_section, red_rule  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "govit" / "letters" / "templates"

# the fixed closing sentence of each kind (公文 usage), editable in the template
CLOSING = {
    "joint_review_opinion": "特此函告。",
    "supplement_notice": "请按上述要求一次性补齐材料后报送，补正期间审核时限暂停计算。",
    "feasibility_approval": "特此批复。",
    "design_approval": "特此批复。",
    "return_letter": "请按上述意见一次性修改完善后重新报送，重新报送之日起重新计算审查时限。",
    "refusal_letter": "如有异议，可自收到本通知之日起10个工作日内向省营商环境局申诉。特此通知。",
    "acceptance_opinion": "特此函告。",
    "plan_notice": "请各部门按照计划抓紧组织实施，严格执行项目建设管理各项规定。特此通知。",
    "monthly_bulletin": "特此通报。",
}


def _p(doc, text: str, style: str):
    return doc.add_paragraph(text, style=style)


def _sections(doc) -> None:
    _p(doc, "{%p for s in sections %}", "GovBody")
    _p(doc, "{%p if s.heading %}", "GovHeading")
    _p(doc, "{{ s.heading }}", "GovHeading")
    _p(doc, "{%p endif %}", "GovHeading")
    _p(doc, "{%p for para in s.paras %}", "GovBody")
    _p(doc, "{{ para }}", "GovBody")
    _p(doc, "{%p endfor %}", "GovBody")
    _p(doc, "{%p endfor %}", "GovBody")


def build(kind: str) -> Document:
    doc = Document()
    add_styles(doc)
    apply_section(doc)
    body = doc.element.body
    for child in list(body):  # the default empty paragraph
        if child.tag.endswith("}p"):
            body.remove(child)
    if KINDS[kind].numbered:  # 版头, 主送机关, 落款 (GB/T 9704 7.2, 7.3)
        _p(doc, "{{ authority_name }}文件", "GovAuthority")
        _p(doc, "{{ doc_no }}", "GovDocNo")
        red_rule(_p(doc, "", "GovRule"))
        _p(doc, "{{ title }}", "GovTitle")
        _p(doc, "{{ addressee }}：", "GovAddressee")
        _sections(doc)
        _p(doc, CLOSING[kind], "GovBody")
        _p(doc, "{%p if attachments %}", "GovAttachment")
        _p(doc, "附件：{{ attachments|join('、') }}", "GovAttachment")
        _p(doc, "{%p endif %}", "GovAttachment")
        _p(doc, "{{ signer }}", "GovSignature")
        _p(doc, "{{ date_cn }}", "GovDate")
        _p(doc, "{%p if cc %}", "GovCc")
        _p(doc, "抄送：{{ cc }}", "GovCc")
        _p(doc, "{%p endif %}", "GovCc")
    else:  # a record or the department's own form: title, the record, the date
        _p(doc, "{{ title }}", "GovTitle")
        _p(doc, "{{ subtitle }}", "GovDocNo")
        _sections(doc)
        _p(doc, "{{ signer }}", "GovSignature")
        _p(doc, "{{ date_cn }}", "GovDate")
    return doc


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        build(kind).save(TARGET / f"{kind}.docx")
        print(TARGET / f"{kind}.docx")


if __name__ == "__main__":
    main()
