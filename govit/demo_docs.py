"""The demo's documents (issue 19 finding 11, Build 11): real PDFs with Chinese text, sized like the
ones departments upload (tens to hundreds of KB), drawn from HTML by WeasyPrint in Noto CJK.

One rendering per document kind, kept for the process: a rendering costs about a second, and the
demo uploads some sixty documents of eight kinds (`govit demo` stays fast; the store keeps one copy
of each by its sha256 anyway)."""
import functools
from html import escape

from .domain.documents import DOCUMENT_KINDS

# what each kind of document says, after the 办法 (黑政办发〔2023〕21号) article that asks for it
CHAPTERS = {
    "data_catalog": ("第十六条", ["编制说明", "信息资源分类", "信息资源目录表", "共享属性与开放属性", "更新周期与责任人"]),
    "sharing_analysis": ("第十六条", ["需求分析", "可共享的信息资源", "需要共享的信息资源", "共享方式与接口",
                                     "共享信息使用情况反馈机制"]),
    "feasibility_report": ("第十五条", ["项目概况", "建设必要性", "需求分析", "建设目标与主要内容", "技术方案",
                                       "网络安全与密码应用", "投资估算与资金来源", "项目组织与实施进度", "效益分析"]),
    "design_report": ("第十八条", ["设计依据", "总体设计", "应用系统设计", "数据资源设计", "基础设施与政务云",
                                  "网络安全等级保护设计", "密码应用设计", "投资概算", "实施计划"]),
    "archive_acceptance": ("第三十一条", ["档案收集范围", "归档情况", "电子档案", "检查结论"]),
    "crypto_assessment": ("第二十三条", ["测评依据", "测评对象", "物理和环境安全", "网络和通信安全",
                                        "设备和计算安全", "应用和数据安全", "测评结论"]),
    "reliability_statement": ("第二十三条", ["产品清单", "安全可靠情况", "供应链风险评估", "说明结论"]),
    "acceptance_report": ("第二十九条", ["项目概况", "建设内容完成情况", "投资执行情况", "网络安全和密码应用",
                                        "档案验收", "试运行情况", "验收结论"]),
}
DEFAULT_CHAPTERS = ("第九条", ["概述", "主要内容", "结论"])
PARAGRAPH = ("本章依据《黑龙江省政务信息化项目建设管理办法（试行）》（黑政办发〔2023〕21号）{article}的要求编写。"
             "项目依托省级政务云和省一体化数据共享交换平台集约建设，坚持统筹规划、集约节约、共建共享、利旧创新、"
             "业务协同、安全可靠的原则；信息系统按照网络安全等级保护第三级要求同步规划、同步建设、同步运行，"
             "采用国产商用密码算法实现身份鉴别、传输和存储加密。项目建设单位编制信息资源目录，"
             "建立信息共享长效机制和共享信息使用情况反馈机制，确保数据资源充分共享。")
STYLE = ("@page{size:A4;margin:2.5cm 2.2cm;@bottom-center{content:'第 ' counter(page) ' 页'}}"
         "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC',serif;font-size:12pt;line-height:1.9}"
         "h1{text-align:center;font-size:20pt;margin:3cm 0 1cm}h2{font-size:14pt;margin-top:1.2em}"
         "p{text-indent:2em;margin:.4em 0}.cover{text-align:center;page-break-after:always}"
         "table{border-collapse:collapse;width:100%;font-size:10.5pt}td,th{border:1px solid #333;padding:3pt}")


def document_html(kind: str) -> str:
    """The document of one kind as HTML: a cover, then its chapters."""
    title = DOCUMENT_KINDS.get(kind, "其他材料")
    article, chapters = CHAPTERS.get(kind, DEFAULT_CHAPTERS)
    body = [f'<div class="cover"><h1>{escape(title)}</h1><p>黑龙江省政务信息化项目 · 演示材料</p>'
            f"<p>编制依据：黑政办发〔2023〕21号 {article}</p></div>"]
    for number, chapter in enumerate(chapters, 1):
        body.append(f"<h2>{number}　{escape(chapter)}</h2>")
        body.extend(f"<p>{PARAGRAPH.format(article=article)}</p>" for _ in range(3))
        if number == 1:  # a table, as in the real ones (catalogues, inventories, budgets)
            rows = "".join(f"<tr><td>{i}</td><td>{escape(chapter)}事项{i}</td><td>省级政务云</td><td>按需共享</td></tr>"
                           for i in range(1, 9))
            body.append(f"<table><tr><th>序号</th><th>名称</th><th>部署</th><th>共享属性</th></tr>{rows}</table>")
    return f'<html lang="zh-CN"><head><meta charset="utf-8"><style>{STYLE}</style></head><body>{"".join(body)}</body></html>'


@functools.cache
def demo_pdf(kind: str) -> bytes:
    """A PDF of the kind (one rendering per kind per process)."""
    from weasyprint import HTML  # imported when first needed: it takes seconds, the web app never needs it here
    return HTML(string=document_html(kind)).write_pdf()
