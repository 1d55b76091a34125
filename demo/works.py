"""Pirated works in the demo marketplace (issue 20, docs/matching.md#works-copyright): listings of the sample works
(watchlists/samples/works.yaml) selling cracked software, shared game accounts, PDF copies of books, courses and
films on cloud drives, lossless music on USB sticks, keys far below the price — and honest listings of the same works
that must stay quiet: keys at their price from the authorised store, second-hand discs and books, merchandise,
guides. Each carries its ground truth (`copyright`, infringing or not).

Pure data, no randomness: the showcase replaces unrelated filler offers on the feed (which the demo crawls whole),
so every other offer keeps its id and price.
"""

from __future__ import annotations

from functools import lru_cache

from demo.offers import OfferSpec
from demo.regulated import SHOWCASE as REGULATED_SHOWCASE
from watchlists.configured import SAMPLES_DIR
from watchlists.loader import load_watchlists

# (work id, infringing?, title, description, category, price, (seller, location))
SHOWCASE: tuple[tuple[str, bool, str, str, str, float, tuple[str, str]], ...] = (
    ("wk-ms-office", True, "Office2021专业增强版 永久激活码 秒发 支持重装", "自动发货，拍下即发。", "软件", 9.9, ("极速软件铺", "广东深圳")),
    ("wk-ms-windows", True, "Windows 11 专业版 激活码 永久 正版密钥", "一机一码，远程协助。", "软件", 15.0, ("极速软件铺", "广东深圳")),
    ("wk-adobe-photoshop", True, "Ph0toshop 2024 破解版 Mac Win 直装 送教程", "无需激活，下载即用。", "软件", 5.0, ("设计素材屋", "浙江杭州")),
    ("wk-autocad", True, "CAD2024 学习版 安装包 百度网盘 远程安装", "提供安装视频。", "软件", 8.0, ("设计素材屋", "浙江杭州")),
    ("wk-matlab", True, "MATLAB R2024a 永久使用 Mac Win 安装包", "科研必备。", "软件", 20.0, ("学术工具站", "湖北武汉")),
    ("wk-black-myth-wukong", True, "黑神话悟空 steam离线 共享账号 全DLC", "上号即玩，非激活码。", "游戏", 8.0, ("游戏账号铺", "江苏南京")),
    ("wk-elden-ring", True, "老头环 艾尔登法环 PC 学习版 免steam 中文 送修改器", "解压即玩。", "游戏", 6.0, ("游戏账号铺", "江苏南京")),
    ("wk-three-body", True, "三体 全集 电子版 PDF epub mobi 刘慈欣", "三部全，发邮箱。", "图书", 2.0, ("书香电子馆", "河南郑州")),
    ("wk-csapp", True, "深入理解计算机系统 CSAPP 第三版 pdf 高清扫描 带书签", "网盘发货。", "图书", 1.0, ("书香电子馆", "河南郑州")),
    ("wk-python-crash-course", True, "Python编程从入门到实践 第3版 电子版 送源码", "秒发。", "图书", 1.9, ("书香电子馆", "河南郑州")),
    ("wk-xuezhaofeng-economics", True, "薛兆丰的经济学课 全套 音频 百度网盘", "永久有效。", "课程", 6.6, ("知识付费站", "北京")),
    ("wk-geektime-algorithms", True, "极客时间 数据结构与算法之美 课程视频 录屏 合集", "持续更新。", "课程", 15.0, ("知识付费站", "北京")),
    ("wk-wandering-earth-2", True, "流浪地球2 4K资源 网盘 链接 国语中字", "高清无水印。", "影视", 3.0, ("影视资源铺", "四川成都")),
    ("wk-nezha-2", True, "哪吒2 枪版 高清 在线发 网盘", "院线新片。", "影视", 1.0, ("影视资源铺", "四川成都")),
    ("wk-jay-chou-fantasy", True, "周杰伦 范特西 无损 FLAC 车载U盘 32G", "歌曲打包。", "音乐", 29.0, ("车载音乐坊", "广东广州")),
    ("wk-ms-office", True, "Office 365 共享账号 终身 5设备", "永久可用。", "软件", 19.9, ("极速软件铺", "广东深圳")),
    # honest listings of the same works: must stay quiet
    ("wk-ms-office", False, "Office 2021 家庭和学生版 激活码 官方正版", "官方授权，电子发票。", "软件", 748.0, ("微软官方旗舰店", "上海")),
    ("wk-black-myth-wukong", False, "黑神话：悟空 Steam 国区 激活码 标准版", "官方授权渠道。", "游戏", 268.0, ("Steam", "上海")),
    ("wk-black-myth-wukong", False, "黑神话悟空 周边 金箍棒 手办 摆件", "官方授权周边。", "潮玩", 199.0, ("悟空潮玩店", "浙江义乌")),
    ("wk-elden-ring", False, "艾尔登法环 Elden Ring PS5 光盘 二手 国行", "自用闲置，光盘无划痕。", "游戏", 199.0, ("闲置小铺", "上海")),
    ("wk-three-body", False, "三体 全集 刘慈欣 实体书 二手 九成新", "自家书架，包邮。", "图书", 30.0, ("旧书角", "北京")),
    ("wk-black-myth-wukong", False, "黑神话悟空 全成就 攻略 图文 收集指南", "自写攻略。", "图书", 19.9, ("游戏攻略社", "江苏南京")),
    ("wk-jay-chou-fantasy", False, "周杰伦 范特西 黑胶唱片 正版", "全新未拆。", "音乐", 368.0, ("唱片行", "台湾台北")),
    ("wk-csapp", False, "深入理解计算机系统 原书第3版 机械工业出版社 平装", "出版社直发。", "图书", 139.0, ("机械工业出版社旗舰店", "北京")),
)  # fmt: skip


@lru_cache(maxsize=1)
def _search_terms() -> dict[str, tuple[str, ...]]:
    """Work id → its titles and aliases: the marketplace's search finds a listing by any of them."""
    return {w.id: w.forms for w in load_watchlists([SAMPLES_DIR / "works.yaml"]).works}


def showcase_offers() -> list[OfferSpec]:
    """The showcase as offers with their truth: pirated listings are `infringing` on their work (kind copyright);
    honest ones are `genuine`, `resale` or `nominative` (merchandise and guides) and must raise no lead."""
    out = []
    for work, infringing, title, description, category, price, seller in SHOWCASE:
        if infringing:
            label = "infringing"
        elif any(w in title for w in ("二手", "闲置")):
            label = "resale"
        elif any(w in title for w in ("周边", "攻略", "手办")):
            label = "nominative"
        else:
            label = "genuine"
        out.append(OfferSpec(title, description, price, category, seller, seller[1],
                             (category, *_search_terms()[work]), (work,), "copyright", label))  # fmt: skip
    return out


def place_works(specs: list[OfferSpec], platforms: int, platform: int, first: int = 40) -> list[OfferSpec]:
    """Specs with the showcase put in place of unrelated filler offers (no entry, not the regulated-goods showcase)
    that land on one platform (index % platforms == platform, from index `first` on)."""
    out = list(specs)
    showcase = iter(showcase_offers())
    regulated = {title for _, _, title, *_ in REGULATED_SHOWCASE}
    for i in range(first, len(out)):
        spec = out[i]
        if (i % platforms == platform and spec.label == "unrelated" and not spec.entry_ids and not spec.regulated
                and spec.title not in regulated):  # fmt: skip
            nxt = next(showcase, None)
            if nxt is None:
                break
            out[i] = nxt
    return out
