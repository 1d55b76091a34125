"""What the demo marketplace sells: the watched goods, their prices, sellers, disguises, and the traps around them.

Pure data. Entry ids refer to watchlists/samples/*.yaml; prices are CNY. Slang terms come from
../shared/realdata/counterfeit_lexicon.tsv (compiled from public seller-slang sources).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Goods:
    """One watched brand (or patent, or GI) and how genuine and counterfeit offers of it read."""

    entry_id: str
    category: str
    brand_zh: str
    brand_en: str
    products: tuple[str, ...]
    genuine_price: tuple[float, float]
    fake_price: tuple[float, float]
    genuine_sellers: tuple[tuple[str, str], ...]  # (seller name, location)
    disguises: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> written forms
    products_en: tuple[str, ...] = ()
    slang: tuple[str, ...] = ()  # category-specific cues on top of the general ones
    aliases: tuple[str, ...] = ()  # other registered forms the platform's search index knows


GENERAL_SLANG_ZH = ("高仿", "精仿", "A货", "复刻", "1:1", "原单", "外贸原单", "尾单", "工厂货", "同厂", "代工",
                    "公司级", "真标", "过验", "专柜验", "一比一", "超A", "出口转内销")  # fmt: skip
GENERAL_SLANG_EN = ("replica", "rep", "AAA", "1:1", "UA", "top batch", "passing", "mirror quality")
PASSING_CLAIMS = ("支持专柜验", "过验无压力", "NFC芯片 可感应", "防伪芯片 扫码可查", "细节对比专柜无差")

SHOE_SLANG = ("莆田", "莆田鞋", "纯原", "PK版", "OG版", "LJR", "H12", "纯原版本")
BAG_SLANG = ("原厂皮", "顶级复刻", "专柜品质", "GP", "QC")
WATCH_SLANG = ("VS厂", "ZF厂", "N厂", "clean厂", "904L")
COSMETIC_SLANG = ("渠道货", "工厂货", "水货", "小样 分装")
LIQUOR_SLANG = ("海关货", "厂家直销", "内部渠道", "清仓 特价")

GOODS: tuple[Goods, ...] = (
    Goods("tm-nike", "运动鞋", "耐克", "NIKE",
          ("Air Max 270 男鞋", "Air Force 1 空军一号 板鞋", "AJ1 高帮 篮球鞋", "Dunk Low 熊猫", "Pegasus 40 跑步鞋"),
          (699, 1499), (89, 239), (("耐克官方旗舰店", "上海"), ("Nike Store", "上海")),
          {"homophone": ("奈克", "耐客"), "pinyin": ("naike",), "codeword": ("大钩子", "对勾牌")},
          ("Air Max 270 Running Shoes", "Air Force 1 Low Sneakers", "Dunk Low Panda"), SHOE_SLANG),
    Goods("tm-adidas", "运动鞋", "阿迪达斯", "adidas",
          ("Yeezy 350 椰子鞋", "Samba 德训鞋", "Ultraboost 跑鞋", "三叶草 Superstar 贝壳头"),
          (599, 1899), (79, 189), (("adidas官方旗舰店", "上海"),),
          {"homophone": ("阿迪大斯", "阿迪哒斯"), "codeword": ("三道杠",)},
          ("Yeezy Boost 350 V2", "Samba OG Shoes"), SHOE_SLANG),
    Goods("tm-lining", "运动鞋", "李宁", "LI-NING",
          ("韦德之道 篮球鞋", "超轻20 跑鞋", "反伍 BADFIVE 板鞋"),
          (299, 999), (39, 95), (("李宁官方旗舰店", "北京"),),
          {"traditional": ("李寧",)}, (), SHOE_SLANG, ("LINING", "Li-Ning")),
    Goods("tm-chanel", "女包", "香奈儿", "CHANEL",
          ("经典CF 链条包", "2.55 菱格包", "Le Boy 包", "19bag 羊皮"),
          (28000, 56000), (199, 399), (("香奈儿官方旗舰店", "上海"),),
          {"homophone": ("香奈尔", "香乃儿"), "traditional": ("香奈兒",), "pinyin": ("xiangnaier",),
           "codeword": ("小香", "双C 菱格")},
          ("Classic Flap Bag", "Boy Bag Caviar"), BAG_SLANG),
    Goods("tm-louisvuitton", "女包", "路易威登", "Louis Vuitton",
          ("Neverfull 购物袋", "老花 Speedy 枕头包", "Keepall 旅行袋", "Alma 贝壳包"),
          (12000, 26000), (180, 680), (("路易威登官方旗舰店", "上海"),),
          {"codeword": ("老花", "驴牌"), "pinyin": ("luyiweideng",)},
          ("Neverfull MM Tote", "Speedy 30 Monogram"), BAG_SLANG, ("LV", "LouisVuitton")),
    Goods("tm-gucci", "女包", "古驰", "GUCCI",
          ("双G 腰带", "Marmont 链条包", "酒神包", "Ophidia 手袋"),
          (4500, 22000), (120, 560), (("古驰官方旗舰店", "上海"),),
          {"homophone": ("古奇", "古姿"), "pinyin": ("guchi",), "codeword": ("双G",)},
          ("Marmont Shoulder Bag", "GG Belt"), BAG_SLANG),
    Goods("tm-hermes", "女包", "爱马仕", "HERMES",
          ("Birkin 铂金包 30", "Kelly 凯莉包 28", "Picotin 菜篮子", "H扣 皮带"),
          (15000, 120000), (600, 2800), (("爱马仕官方旗舰店", "上海"),),
          {"homophone": ("爱马士",), "traditional": ("愛馬仕",), "codeword": ("H家",)},
          ("Birkin 30 Togo", "Kelly 28"), BAG_SLANG),
    Goods("tm-prada", "女包", "普拉达", "PRADA",
          ("三角标 尼龙 双肩包", "Re-Edition 腋下包", "Galleria 杀手包"),
          (9000, 28000), (150, 690), (("普拉达官方旗舰店", "上海"),),
          {"homophone": ("普拉大",), "codeword": ("P家 三角标",)}, ("Re-Edition 2005 Nylon Bag",), BAG_SLANG),
    Goods("tm-rolex", "手表", "劳力士", "ROLEX",
          ("潜航者 绿水鬼 116610LV", "日志型 Datejust 41", "迪通拿 Daytona", "游艇名仕"),
          (68000, 260000), (380, 2800), (("劳力士官方旗舰店", "上海"),),
          {"homophone": ("劳利士", "劳力土"), "traditional": ("勞力士",), "pinyin": ("laolishi",),
           "codeword": ("绿水鬼", "劳家 水鬼")},
          ("Submariner Date Green", "Datejust 41 Jubilee", "Daytona Panda"), WATCH_SLANG),
    Goods("tm-omega", "手表", "欧米茄", "OMEGA",
          ("海马 300 潜水表", "超霸 登月表", "星座系列 女表"),
          (36000, 78000), (300, 2200), (("欧米茄官方旗舰店", "上海"),),
          {"homophone": ("欧米加",), "codeword": ("海马300 VS厂",)}, ("Seamaster 300M", "Speedmaster Moonwatch"),
          WATCH_SLANG),
    Goods("tm-cartier", "手表", "卡地亚", "Cartier",
          ("蓝气球 腕表", "山度士 Santos", "LOVE 手镯", "猎豹 项链"),
          (22000, 88000), (120, 1800), (("卡地亚官方旗舰店", "上海"),),
          {"homophone": ("卡迪亚",), "traditional": ("卡地亞",)}, ("Ballon Bleu 36mm", "Love Bracelet"),
          WATCH_SLANG),
    Goods("tm-apple", "手机", "苹果", "Apple",
          ("iPhone 15 Pro 256G", "iPhone 15 Pro Max 512G", "MacBook Air M2", "iPad Pro 11寸"),
          (4299, 12999), (399, 1299), (("Apple Store 官方旗舰店", "上海"), ("苹果官方旗舰店", "北京")),
          {"homophone": ("平果",), "pinyin": ("pingguo",)},
          ("iPhone 15 Pro 256GB", "MacBook Air M2 13-inch"), ("安卓系统 一比一", "全网通 高配版", "工厂货")),
    Goods("tm-xiaomi", "手机", "小米", "Xiaomi",
          ("14 Pro 5G 手机", "Redmi K70 手机", "手环8 NFC版"),
          (1099, 5999), (89, 399), (("小米官方旗舰店", "北京"),),
          {"homophone": ("小咪",)}, ("14 Pro 5G Smartphone",), ("工厂货", "尾单"), ("XIAOMI",)),
    Goods("tm-huawei", "手机", "华为", "HUAWEI",
          ("Mate 60 Pro 12+512G", "P60 Art 手机", "FreeBuds Pro 3 耳机"),
          (2999, 8999), (299, 899), (("华为官方旗舰店", "深圳"),),
          {"traditional": ("華為",)}, ("Mate 60 Pro 512GB",), ("安卓 一比一", "高仿机"), ("HuaWei",)),
    Goods("tm-sony", "数码", "索尼", "SONY",
          ("WH-1000XM5 降噪耳机", "WF-1000XM5 真无线耳机"),
          (1999, 2999), (99, 299), (("索尼官方旗舰店", "上海"),),
          {"homophone": ("索妮",)}, ("WH-1000XM5 Headphones",), ("工厂货", "原单")),
    Goods("tm-lancome", "美妆", "兰蔻", "LANCOME",
          ("小黑瓶 精华 100ml", "菁纯 面霜 60ml", "极光水 150ml"),
          (680, 1580), (39, 159), (("兰蔻官方旗舰店", "上海"),),
          {"homophone": ("兰寇",), "traditional": ("蘭蔻",), "pinyin": ("lankou",)},
          ("Advanced Genifique Serum 100ml",), COSMETIC_SLANG),
    Goods("tm-esteelauder", "美妆", "雅诗兰黛", "Estee Lauder",
          ("小棕瓶 精华 50ml", "DW 持妆粉底液", "智妍面霜 75ml"),
          (520, 1280), (39, 129), (("雅诗兰黛官方旗舰店", "上海"),),
          {"homophone": ("雅丝兰黛",), "traditional": ("雅詩蘭黛",)}, ("Advanced Night Repair 50ml",), COSMETIC_SLANG,
          ("Estée Lauder",)),
    Goods("tm-skii", "美妆", "SK-II", "SK-II",
          ("神仙水 230ml", "小灯泡 精华 50ml", "大红瓶 面霜 80g"),
          (780, 1690), (49, 199), (("SK-II官方旗舰店", "上海"),),
          {"homoglyph": ("SK-ll", "SK-Ⅰ Ⅰ")}, ("Facial Treatment Essence 230ml",), COSMETIC_SLANG, ("SK2", "SKII")),
    Goods("tm-dior", "美妆", "迪奥", "DIOR",
          ("真我 香水 100ml", "花漾 淡香水 100ml", "烈艳蓝金 口红礼盒"),
          (900, 1500), (39, 129), (("迪奥官方旗舰店", "上海"),),
          {"homophone": ("迪凹",), "traditional": ("迪奧",)}, ("J'adore Eau de Parfum 100ml",), COSMETIC_SLANG),
    Goods("tm-moutai", "白酒", "茅台", "MOUTAI",
          ("飞天 53度 500ml", "十五年 陈年 53度", "生肖 纪念酒 53度"),
          (2699, 4999), (168, 599), (("茅台官方旗舰店", "贵州仁怀"), ("贵州茅台官方旗舰店", "贵州仁怀")),
          {"homophone": ("矛台", "茅苔"), "pinyin": ("maotai",), "codeword": ("大飞 酱香 53度",)},
          ("Feitian 53% 500ml",), LIQUOR_SLANG, ("贵州茅台",)),
    Goods("tm-wuliangye", "白酒", "五粮液", "Wuliangye",
          ("普五 第八代 52度 500ml", "1618 52度", "交杯 52度"),
          (1199, 1699), (129, 399), (("五粮液官方旗舰店", "四川宜宾"),),
          {"homophone": ("五良液", "五粮夜"), "traditional": ("五糧液",)}, (), LIQUOR_SLANG),
    Goods("tm-lego", "玩具", "乐高", "LEGO",
          ("42115 超跑 机械组", "75192 千年隼", "10294 泰坦尼克号", "71043 霍格沃茨城堡"),
          (999, 5999), (39, 95), (("LEGO乐高官方旗舰店", "上海"),),
          {"homophone": ("乐搞",), "pinyin": ("legao",), "codeword": ("乐拼",)},
          ("75192 Millennium Falcon", "10294 Titanic"), ("拼装 兼容", "工厂货", "高仿")),
    Goods("tm-syngenta", "农药", "先正达", "SYNGENTA",
          ("福戈 杀虫剂 稻田", "阿米妙收 杀菌剂", "翠贝 杀菌剂", "爱苗 杀菌剂"),
          (68, 260), (12, 29), (("先正达官方旗舰店", "上海"),),
          {"homophone": ("先正大", "仙正达"), "pinyin": ("xianzhengda",)}, (), ("厂家直销", "工厂货", "原厂分装")),
    Goods("tm-stanley", "化肥", "史丹利", "STANLEY",
          ("复合肥 45% 40kg", "水溶肥 高钾", "硫酸钾型复合肥 50kg"),
          (128, 260), (19, 39), (("史丹利官方旗舰店", "山东临沭"),),
          {"homophone": ("史丹力", "史单利")}, (), ("厂家直销", "工厂货", "散装 分装")),
    Goods("tm-yunnanbaiyao", "药品", "云南白药", "YUNNAN BAIYAO",
          ("气雾剂 85g+30g", "创可贴 100片", "胶囊 0.25g*32粒", "牙膏 益优清新 180g"),
          (22, 68), (3, 9.9), (("云南白药官方旗舰店", "云南昆明"),),
          {"homophone": ("云南百药", "云南白葯"), "traditional": ("雲南白藥",), "pinyin": ("yunnanbaiyao",)},
          (), ("厂家直销", "工厂货", "尾货")),
    Goods("tm-michelin", "轮胎", "米其林", "MICHELIN",
          ("浩悦4 205/55R16", "竞驰 PS4 245/45R18", "耐越 235/60R18"),
          (650, 1680), (120, 290), (("米其林官方旗舰店", "上海"),),
          {"homophone": ("米奇林", "米其琳"), "pinyin": ("miqilin",)},
          ("Pilot Sport 4 245/45R18",), ("库存胎", "翻新胎", "厂家直销")),
    Goods("tm-dyson", "家电", "戴森", "DYSON",
          ("吹风机 HD15", "V12 无线吸尘器", "Airwrap 卷发棒"),
          (2290, 4990), (129, 499), (("戴森官方旗舰店", "上海"),),
          {"homophone": ("戴深", "代森"), "pinyin": ("daisen",), "codeword": ("D家 高速吹风机",)},
          ("Supersonic Hair Dryer HD15",), ("工厂货", "原单", "同厂")),
)  # fmt: skip


@dataclass(frozen=True)
class FixedOffer:
    """A hand-written offer template: nominative uses, lookalike traps, patents and GIs."""

    entry_id: str
    kind: str  # trademark | patent | false_patent_marking | geographical_indication
    label: str  # infringing | genuine | nominative | lookalike
    title: str
    category: str
    price: tuple[float, float]
    seller: tuple[str, str]  # (name, location)
    ships_from: str = ""
    search_terms: tuple[str, ...] = ()
    cited_number: str = ""
    signals: tuple[str, ...] = ()


_T, _P, _F, _G = "trademark", "patent", "false_patent_marking", "geographical_indication"

NOMINATIVE: tuple[FixedOffer, ...] = (
    FixedOffer("tm-apple", _T, "nominative", "适用于苹果 iPhone 15 手机壳 硅胶 防摔", "手机配件", (15, 39), ("壳壳小铺", "深圳")),
    FixedOffer("tm-apple", _T, "nominative", "适用苹果 AirPods Pro 2 保护套 液态硅胶", "手机配件", (9, 29), ("数码配件馆", "深圳")),
    FixedOffer("tm-apple", _T, "nominative", "Case compatible with Apple iPhone 15 Pro, clear TPU", "手机配件", (12, 35),
               ("CaseMaster", "深圳")),
    FixedOffer("tm-xiaomi", _T, "nominative", "适用小米14 手机壳 磨砂 全包", "手机配件", (12, 29), ("壳壳小铺", "深圳")),
    FixedOffer("tm-xiaomi", _T, "nominative", "适用于小米手环8 表带 硅胶 运动款", "手机配件", (9, 25), ("数码配件馆", "深圳")),
    FixedOffer("tm-dyson", _T, "nominative", "适用戴森吹风机 收纳架 免打孔 壁挂", "家居", (19, 49), ("家居收纳铺", "义乌")),
    FixedOffer("tm-dyson", _T, "nominative", "适用于Dyson V12 吸尘器 滤网 配件 替换", "家电配件", (29, 69), ("清洁配件店", "苏州")),
    FixedOffer("tm-lego", _T, "nominative", "积木收纳盒 适用于乐高 分类整理 大容量", "玩具", (29, 79), ("家居收纳铺", "义乌")),
    FixedOffer("tm-nike", _T, "nominative", "适用耐克 AJ1 鞋带 扁鞋带 替换 多色", "鞋配件", (5, 15), ("鞋材配件", "晋江")),
    FixedOffer("tm-huawei", _T, "nominative", "适用华为Mate60 Pro 手机壳 素皮 防摔", "手机配件", (19, 45), ("壳壳小铺", "深圳")),
    FixedOffer("tm-rolex", _T, "nominative", "适用劳力士 表带 氟橡胶 20mm 替换", "手表配件", (59, 159), ("表带工坊", "深圳")),
    FixedOffer("tm-michelin", _T, "nominative", "轮胎拆装 动平衡 服务 适用米其林 普利司通 等品牌", "汽车服务", (30, 80),
               ("途虎养车 门店", "上海")),
)  # fmt: skip

LOOKALIKES: tuple[FixedOffer, ...] = (
    FixedOffer("tm-nike", _T, "lookalike", "Nikon 尼康 Z6 II 全画幅 微单相机", "相机", (9999, 11999), ("尼康官方旗舰店", "上海")),
    FixedOffer("tm-nike", _T, "lookalike", "Nikon 尼康 AF-S 50mm f/1.8G 定焦镜头", "相机", (1299, 1599), ("尼康官方旗舰店", "上海")),
    FixedOffer("tm-omega", _T, "lookalike", "Omega-3 深海鱼油 软胶囊 100粒", "保健品", (69, 129), ("健康小铺", "北京")),
    FixedOffer("tm-omega", _T, "lookalike", "OMEGA-3 冷榨 亚麻籽油 500ml", "粮油", (39, 69), ("农家杂粮", "内蒙古")),
    FixedOffer("tm-prada", _T, "lookalike", "丰田 普拉多 Prado 脚垫 全包围 专用", "汽车用品", (199, 399), ("车品汇", "广州")),
    FixedOffer("tm-prada", _T, "lookalike", "普拉多 Prado 2700 改装 后视镜 总成", "汽车用品", (299, 699), ("车品汇", "广州")),
    FixedOffer("tm-apple", _T, "lookalike", "红富士苹果 新鲜水果 5斤装 脆甜", "水果", (19, 39), ("果园直发", "山东烟台")),
    FixedOffer("tm-apple", _T, "lookalike", "烟台 栖霞 苹果 10斤 当季 整箱", "水果", (39, 69), ("果园直发", "山东烟台")),
    FixedOffer("tm-apple", _T, "lookalike", "苹果醋 饮料 500ml*6瓶 整箱", "饮料", (29, 49), ("饮品批发", "河北")),
    FixedOffer("tm-xiaomi", _T, "lookalike", "黄小米 新米 500g 杂粮 月子米", "粮油", (9, 19), ("农家杂粮", "山西")),
    FixedOffer("tm-xiaomi", _T, "lookalike", "沁州黄 小米 山西 5斤装 农家", "粮油", (39, 69), ("农家杂粮", "山西")),
    FixedOffer("tm-chanel", _T, "lookalike", "Dual Channel 双通道 DDR4 16G 内存条 套装", "电脑配件", (299, 459),
               ("电脑城装机", "深圳")),
    FixedOffer("tm-chanel", _T, "lookalike", "5.1 Channel 家庭影院 功放 蓝牙", "影音", (599, 999), ("影音发烧馆", "广州")),
    FixedOffer("tm-stanley", _T, "lookalike", "STANLEY 斯坦利 保温杯 不锈钢 1.4L 大容量", "杯具", (199, 329), ("户外装备店", "杭州")),
    FixedOffer("tm-moutai", _T, "lookalike", "茅台镇 酱香型 白酒 53度 纯粮 坤沙 500ml", "白酒", (59, 199), ("仁怀酒坊", "贵州仁怀")),
    FixedOffer("tm-lining", _T, "lookalike", "加厚 遮光窗帘 Lining 内衬 涤纶 定制", "家居", (39, 99), ("家居收纳铺", "义乌")),
    FixedOffer("gi-yangchenghu-crab", _G, "lookalike", "洪湖 清水大闸蟹 鲜活 公4两 8只", "水产", (88, 168),
               ("洪湖水产", "湖北洪湖")),
    FixedOffer("gi-xihu-longjing", _G, "lookalike", "新昌 大佛龙井 2024新茶 250g", "茶叶", (88, 198), ("浙东茶行", "浙江新昌")),
    FixedOffer("gi-wuchang-rice", _G, "lookalike", "东北大米 长粒香 10kg 新米", "粮油", (49, 79), ("东北粮仓", "吉林")),
)  # fmt: skip

FAN = "ZL201310699744.2"
PATENTS: tuple[FixedOffer, ...] = (
    FixedOffer("pat-bladeless-fan", _P, "genuine", "戴森 Dyson 无叶风扇 AM07 塔扇 专利号" + FAN, "家电", (2990, 4290),
               ("戴森官方旗舰店", "上海"), search_terms=("无叶风扇",), cited_number=FAN),
    FixedOffer("pat-bladeless-fan", _P, "infringing", "无叶风扇 家用 落地 静音 遥控 塔扇", "家电", (159, 399),
               ("小家电工厂店", "广东中山"), search_terms=("无叶风扇",)),
    FixedOffer("pat-bladeless-fan", _P, "infringing", "bladeless fan 无叶电风扇 台式 负离子", "家电", (129, 299),
               ("小家电工厂店", "广东中山"), search_terms=("无叶风扇", "bladeless fan")),
    FixedOffer("pat-bladeless-fan", _F, "infringing", "无叶风扇 专利产品 专利号ZL201310699744.5 落地扇", "家电", (199, 399),
               ("电器批发城", "浙江慈溪"), search_terms=("无叶风扇",), cited_number="ZL201310699744.5",
               signals=("patent_wrong_check",)),
    FixedOffer("pat-folding-stroller", _P, "genuine", "好孩子 一键折叠推车 婴儿车 轻便 可坐可躺", "母婴", (899, 1899),
               ("好孩子官方旗舰店", "江苏昆山"), search_terms=("一键折叠推车",)),
    FixedOffer("pat-folding-stroller", _P, "infringing", "一键折叠推车 婴儿车 超轻便 可登机 同款", "母婴", (199, 399),
               ("母婴用品批发", "河北平乡"), search_terms=("一键折叠推车",)),
    FixedOffer("pat-folding-stroller", _F, "infringing", "一键收车婴儿车 专利号CN201710117081.3 轻便伞车", "母婴",
               (159, 299), ("母婴用品批发", "河北平乡"), search_terms=("一键折叠推车", "一键收车婴儿车"),
               cited_number="CN201710117081.3", signals=("patent_wrong_check",)),
    FixedOffer("pat-drip-irrigation", _P, "genuine", "天业 压力补偿滴灌带 16mm 农田灌溉 500米", "农资", (260, 680),
               ("天业节水官方旗舰店", "新疆石河子"), search_terms=("压力补偿滴灌带", "滴灌带")),
    FixedOffer("pat-drip-irrigation", _P, "infringing", "压力补偿滴灌带 16mm 农用 滴灌管 厂家直销", "农资", (80, 180),
               ("节水器材厂", "山东寿光"), search_terms=("压力补偿滴灌带", "滴灌带")),
    FixedOffer("pat-phone-case-design", _P, "infringing", "镜面手机壳 全包防摔 网红款 电镀", "手机配件", (9, 25),
               ("壳工厂", "深圳"), search_terms=("镜面手机壳",)),
    FixedOffer("pat-lighter-1995", _F, "infringing", "防风打火机 专利产品 ZL95115608.X 正品 金属", "烟具", (15, 49),
               ("烟具批发", "浙江温州"), search_terms=("防风打火机",), cited_number="ZL95115608.X",
               signals=("patent_expired",)),
    FixedOffer("pat-bladeless-fan", _F, "infringing", "USB 小风扇 静音 桌面 专利号ZL201310699744.5", "家电", (15, 39),
               ("电器批发城", "浙江慈溪"), search_terms=("小风扇",), cited_number="ZL201310699744.5",
               signals=("patent_wrong_check",)),
)  # fmt: skip

GEO: tuple[FixedOffer, ...] = (
    FixedOffer("gi-yangchenghu-crab", _G, "genuine", "阳澄湖大闸蟹 公4两母3两 8只 礼盒 鲜活", "水产", (298, 598),
               ("阳澄湖大闸蟹官方旗舰店", "江苏苏州")),
    FixedOffer("gi-yangchenghu-crab", _G, "genuine", "阳澄湖大闸蟹 现货 鲜活 公5两 母4两 6只", "水产", (398, 698),
               ("苏州阳澄湖蟹业", "江苏苏州相城")),
    FixedOffer("gi-yangchenghu-crab", _G, "infringing", "阳澄湖大闸蟹 公4两母3两 8只装 现货 特价", "水产", (68, 168),
               ("宿迁水产批发", "江苏宿迁")),
    FixedOffer("gi-yangchenghu-crab", _G, "infringing", "正宗阳澄湖 大闸蟹 鲜活 10只 全母", "水产", (88, 188),
               ("当涂蟹庄", "安徽当涂")),
    FixedOffer("gi-xihu-longjing", _G, "genuine", "西湖龙井 明前特级 狮峰 250g 礼盒", "茶叶", (380, 1280),
               ("狮峰茶业", "浙江杭州西湖区")),
    FixedOffer("gi-xihu-longjing", _G, "genuine", "西湖龙井 2024新茶 雨前一级 200g", "茶叶", (280, 680),
               ("西湖龙井官方旗舰店", "浙江杭州")),
    FixedOffer("gi-xihu-longjing", _G, "infringing", "西湖龙井 明前特级 250g 散装 新茶", "茶叶", (48, 128),
               ("云南茶庄", "云南普洱")),
    FixedOffer("gi-wuchang-rice", _G, "genuine", "五常大米 稻花香2号 10kg 当季新米", "粮油", (128, 268),
               ("五常大米官方旗舰店", "黑龙江五常")),
    FixedOffer("gi-wuchang-rice", _G, "infringing", "五常稻花香 大米 10kg 正宗 新米 特价", "粮油", (29, 59),
               ("粮油批发", "江苏盐城")),
    FixedOffer("gi-anxi-tieguanyin", _G, "genuine", "安溪铁观音 浓香型 500g 礼盒装", "茶叶", (168, 680),
               ("安溪铁观音官方旗舰店", "福建安溪")),
    FixedOffer("gi-anxi-tieguanyin", _G, "infringing", "安溪铁观音 特级 清香型 500g 散装", "茶叶", (39, 89),
               ("潮汕茶行", "广东潮州")),
    FixedOffer("gi-korla-pear", _G, "genuine", "库尔勒香梨 新疆 5斤 现摘 脆甜", "水果", (39, 79), ("库尔勒果园直发", "新疆库尔勒")),
    FixedOffer("gi-korla-pear", _G, "infringing", "库尔勒香梨 10斤 新鲜 当季 整箱", "水果", (19, 39), ("砀山果业", "安徽砀山")),
    FixedOffer("gi-gannan-navel-orange", _G, "genuine", "赣南脐橙 10斤 现摘 甜橙 礼盒", "水果", (49, 89),
               ("赣州果园直发", "江西赣州")),
    FixedOffer("gi-gannan-navel-orange", _G, "infringing", "赣南脐橙 10斤装 新鲜 当季 特价", "水果", (19, 35),
               ("水果批发档口", "广西南宁")),
)  # fmt: skip

# what a platform's index knows a GI offer is about, even when the title splits or varies the name
GI_NAMES = {
    "gi-yangchenghu-crab": "阳澄湖大闸蟹",
    "gi-xihu-longjing": "西湖龙井",
    "gi-wuchang-rice": "五常大米",
    "gi-anxi-tieguanyin": "安溪铁观音",
    "gi-korla-pear": "库尔勒香梨",
    "gi-gannan-navel-orange": "赣南脐橙",
}

FAKE_SELLERS: dict[str, tuple[tuple[str, str], ...]] = {
    "运动鞋": (("潮鞋工厂店", "福建莆田"), ("鞋王小铺", "福建莆田"), ("球鞋仓库", "福建晋江"), ("Sneaker Rep Store", "福建莆田")),
    "女包": (("奢品代购小屋", "广东广州"), ("皮具精品", "广州白云"), ("包包工厂", "广州花都"), ("LuxRep", "广州白云")),
    "手表": (("名表汇", "广东深圳"), ("表哥", "广州"), ("腕表工坊", "深圳罗湖")),
    "手机": (("华强北数码", "广东深圳"), ("数码批发", "深圳华强北")),
    "数码": (("华强北数码", "广东深圳"), ("耳机批发", "深圳")),
    "美妆": (("美妆小铺", "浙江义乌"), ("化妆品批发", "广州"), ("护肤小店", "浙江义乌")),
    "白酒": (("酒水批发部", "河南郑州"), ("名酒汇", "四川成都"), ("老酒收藏", "山东")),
    "玩具": (("积木工厂", "广东汕头澄海"), ("玩具批发", "汕头澄海")),
    "农药": (("农资服务站", "河南周口"), ("农药批发", "山东聊城")),
    "化肥": (("农资服务站", "河南周口"), ("化肥直销", "河北邢台")),
    "药品": (("大药房", "河北安国"), ("医药批发", "河北安国")),
    "轮胎": (("轮胎仓库", "山东广饶"), ("汽配城", "山东东营")),
    "家电": (("小家电工厂店", "广东中山"), ("电器批发城", "浙江慈溪")),
}  # fmt: skip

PLACES_GENUINE_RESALE = ("上海", "北京", "杭州", "成都", "南京", "武汉")
DAIGOU_CLAIMS = ("海外代购", "香港直邮", "日本直邮", "专柜代购", "免税店代购")

UNRELATED_WORDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("服装", ("纯棉T恤", "加绒卫衣", "牛仔裤", "羽绒服", "衬衫", "连衣裙"), "服装"),
    ("家居", ("收纳箱", "四件套 床单", "记忆棉枕头", "遮光窗帘", "地毯"), "家居"),
    ("厨具", ("不粘锅", "菜刀 套装", "保温饭盒", "电饭煲 内胆", "砧板"), "厨具"),
    ("文具", ("中性笔 0.5mm", "笔记本 A5", "文件夹", "书包 小学生"), "文具"),
    ("食品", ("坚果 礼盒", "牛肉干", "手工饼干", "螺蛳粉", "辣条"), "食品"),
    ("宠物", ("猫砂 豆腐", "狗粮 10kg", "猫抓板", "宠物窝"), "宠物用品"),
)  # fmt: skip
UNRELATED_MODIFIERS = ("2024新款", "包邮", "特价", "加厚", "大码", "现货", "家用", "多色可选", "学生", "ins风")
UNRELATED_SELLERS = (("生活百货店", "浙江义乌"), ("优选好物", "江苏苏州"), ("家居小铺", "浙江杭州"),
                     ("老王杂货铺", "河南郑州"), ("拼拼好货", "上海"), ("闲置小铺", "北京"))  # fmt: skip
