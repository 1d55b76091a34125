"""UI text in Chinese (the default) and English; `translator(lang)` returns a lookup that falls back to the key."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "app": ("网剑 · 线索研判", "NetSword · Triage"),
    "login": ("登录", "Log in"), "logout": ("退出", "Log out"), "username": ("用户名", "User name"),
    "password": ("密码", "Password"), "login_failed": ("用户名或密码错误", "Wrong user name or password"),
    "login_throttled": ("登录失败次数过多，请稍后再试", "Too many failed logins; try again later"),
    "queue": ("线索队列", "Lead queue"), "dashboard": ("统计看板", "Dashboard"), "audit": ("审计日志", "Audit trail"),
    "referrals": ("移送材料", "Referrals"), "users": ("用户", "Users"),
    "status": ("状态", "Status"), "kind": ("类型", "Kind"), "platform": ("平台", "Platform"),
    "entry": ("监测条目", "Entry"), "owner": ("权利人", "Owner"), "assignee": ("承办人", "Assignee"),
    "score": ("评分", "Score"), "min_score": ("最低分", "Min score"), "max_score": ("最高分", "Max score"),
    "since": ("起始日期", "From"), "until": ("截止日期", "Until"), "search": ("全文检索", "Search"),
    "filter": ("筛选", "Filter"), "reset": ("清除", "Reset"), "title": ("标题", "Title"), "seller": ("卖家", "Seller"),
    "price": ("价格", "Price"), "last_seen": ("最近发现", "Last seen"), "first_seen": ("首次发现", "First seen"),
    "next": ("下一页", "Next"), "prev": ("上一页", "Previous"), "page": ("第 {n} 页", "Page {n}"),
    "no_leads": ("没有符合条件的线索", "No leads match"),
    "too_deep": ("页数过多，请缩小筛选范围", "Too many pages; narrow the filters"),
    "any": ("全部", "Any"), "me": ("我", "me"), "unassigned": ("未分配", "unassigned"),
    "confirm": ("确认侵权", "Confirm"), "dismiss": ("排除", "Dismiss"), "mark_triaged": ("已研判", "Triaged"),
    "assign": ("分配", "Assign"), "assign_me": ("分配给我", "Assign to me"), "reason": ("理由", "Reason"),
    "bulk": ("批量操作", "Bulk action"), "selected": ("已选", "selected"), "apply": ("执行", "Apply"),
    "keys_help": ("快捷键：j/k 上下 · Enter 打开 · c 确认 · d 排除 · a 分配给我 · x 选择",
                  "Keys: j/k move · Enter open · c confirm · d dismiss · a assign to me · x select"),
    "listing": ("商品快照", "Listing snapshot"), "reasons": ("研判依据", "Why this is a lead"),
    "matched": ("命中文本", "Matched text"), "evidence": ("证据", "Evidence"), "screenshot": ("截图", "Screenshot"),
    "page_source": ("网页源码（已转义）", "Archived page (escaped source)"),
    "sandboxed": ("沙箱预览（禁用脚本）", "Sandboxed preview (scripts off)"),
    "captured_at": ("取证时间", "Captured at"), "sha256": ("SHA-256", "SHA-256"), "no_evidence": ("暂无证据", "No evidence"),
    "price_history": ("价格记录", "Price history"), "status_history": ("状态记录", "Status history"),
    "same_seller": ("同一卖家的其他线索", "Other leads from this seller"),
    "linked_shippers": ("关联寄件人（包裹面单，已脱敏）", "Linked shippers (parcel manifests, masked)"),
    "shipper": ("寄件方", "Shipper"), "sender": ("寄件人", "Sender"), "phone": ("电话", "Phone"),
    "address": ("地址", "Address"), "parcels": ("包裹数（含监测品牌）", "Parcels (with watched marks)"),
    "related": ("关联卖家的线索", "Leads from related sellers"), "history": ("操作记录", "Actions"),
    "description": ("描述", "Description"), "url": ("链接", "Link"), "cited_number": ("标注专利号", "Cited number"),
    "leads_per_day": ("每日新增线索（按平台）", "New leads per day by platform"),
    "top_entries": ("线索最多的监测条目", "Top entries"), "top_sellers": ("线索最多的卖家", "Top sellers"),
    "throughput": ("每日研判量", "Triage decisions per day"), "takedowns": ("每日移送/下架", "Referrals per day"),
    "by_status": ("各状态线索数", "Leads by status"), "no_data": ("暂无数据", "No data yet"),
    "new": ("新线索", "new"), "triaged": ("已研判", "triaged"), "confirmed": ("已确认", "confirmed"),
    "dismissed": ("已排除", "dismissed"), "referred": ("已移送", "referred"),
    "trademark": ("商标", "trademark"), "patent": ("专利", "patent"), "false_patent_marking": ("假冒专利标注", "false patent marking"),
    "geographical_indication": ("地理标志", "geographical indication"), "parcel_pattern": ("包裹模式", "parcel pattern"),
    "licence_missing": ("未标注许可编号", "licence number missing"),
    "licence_malformed": ("许可编号格式错误", "malformed licence number"),
    "licence_unregistered": ("许可编号查无登记", "licence number not in register"),
    "licence_expired": ("许可编号过期或注销", "licence expired or withdrawn"),
    "licence_mismatch": ("许可编号与产品不符", "licence of another product or holder"),
    "who": ("操作人", "Who"), "when": ("时间", "When"), "what": ("操作", "What"), "target": ("对象", "Target"),
    "before_after": ("变更前 → 变更后", "Before → after"), "chain_ok": ("哈希链完整", "Hash chain intact"),
    "chain_broken": ("哈希链被破坏", "Hash chain broken"),
    "new_referral": ("新建移送", "New referral"), "referral_title": ("移送名称", "Referral title"),
    "lead_ids": ("线索编号（每行一个，留空则为全部已确认线索）", "Lead ids (one a line; empty: all confirmed leads)"),
    "create": ("创建", "Create"), "approve": ("批准", "Approve"), "reject": ("驳回", "Reject"),
    "download": ("下载材料包", "Download package"), "pending": ("待批准", "pending"), "approved": ("已批准", "approved"),
    "rejected": ("已驳回", "rejected"), "created_by": ("创建人", "Created by"), "leads": ("线索", "Leads"),
    "role": ("角色", "Role"), "add_user": ("新增用户", "Add user"), "disable": ("停用", "Disable"),
    "scope": ("可见范围", "Scope"), "disabled": ("已停用", "disabled"), "active": ("启用", "active"),
    "investigator": ("研判员", "investigator"), "supervisor": ("主管", "supervisor"),
    "rights_holder_viewer": ("权利人查看者", "rights-holder viewer"),
    "forbidden": ("无权访问", "Not allowed"), "not_found": ("未找到", "Not found"), "bad_request": ("请求无效", "Bad request"),
    "saved": ("已保存", "Saved"), "language": ("English", "中文"),
    "dismiss_genuine": ("正品/授权销售", "Genuine or authorised"), "dismiss_unrelated": ("与本商标无关", "Not this mark"),
    "dismiss_duplicate": ("重复线索", "Duplicate"), "dismiss_insufficient": ("证据不足", "Insufficient evidence"),
    "dismiss_other": ("其他", "Other"), "cancel": ("取消", "Cancel"), "note": ("备注", "Note"),
    "open": ("打开", "Open"), "all_confirmed": ("全部已确认线索", "all confirmed leads"),
    "four_eyes": ("须由另一名主管批准（四眼原则）", "Another supervisor must approve it (four eyes)"),
    # cases and actor networks (triage/views_cases.py, views_actors.py; docs/cases.md)
    "cases": ("案件", "Cases"), "actors": ("关联网络", "Actor networks"), "actor": ("关联主体", "Actor"),
    "new_case": ("新建案件", "New case"), "case_title": ("案件名称", "Case title"),
    "case_lead_ids": ("线索编号（每行一个）", "Lead ids (one a line)"),
    "case_clue": ("线索", "clue"), "case_filed": ("立案", "filed"), "case_investigating": ("调查", "investigating"),
    "case_penalised": ("处罚", "penalised"), "case_transferred": ("移送", "transferred"), "case_closed": ("结案", "closed"),
    "updated": ("更新时间", "Updated"), "deadline": ("办理期限", "Deadline"), "overdue": ("已超期", "overdue"),
    "no_cases": ("暂无案件", "No cases"), "remove": ("移除", "Remove"), "add_leads": ("添加线索", "Add leads"),
    "shops": ("店铺", "shops"), "notes": ("办案记录", "Notes"), "add_note": ("添加记录", "Add note"),
    "network_built": ("关联分析时间", "Networks built"),
    "no_networks": ("尚未进行关联分析：netsword cases networks build", "No networks yet: netsword cases networks build"),
    "identifiers": ("关联标识", "Identifiers"), "identifier": ("标识", "Identifier"),
    "hubs": ("已忽略的公共号码", "Suppressed hub identifiers"),
    "hubs_help": ("出现在过多无关店铺中的标识（平台客服、快递网点等）不作为关联依据",
                  "Identifiers seen in too many unrelated shops (platform numbers, courier depots) link nobody"),
    "shops_hidden": ("个店铺不在可见范围内", "shops outside your scope"),
    "case_from_network": ("据此网络立为案件线索", "Open a case from this network"),
    "network": ("关联图", "Network"), "graph_truncated": ("节点过多，图中仅显示一部分", "Too many nodes: the graph shows part"),
    "edge_evidence": ("关联依据及证据", "Evidence behind each link"), "capture": ("取证", "capture"),
    "support": ("辅助信号（不单独构成关联）", "Support (never a link by itself)"), "similar_name": ("店名相似", "similar name"),
    "id_shop": ("店铺", "shop"), "id_phone": ("电话", "phone"), "id_service_phone": ("客服热线", "service line"),
    "id_wechat": ("微信", "WeChat"), "id_qq": ("QQ", "QQ"), "id_email": ("邮箱", "e-mail"),
    "id_uscc": ("统一社会信用代码", "credit code"), "id_address": ("退货地址", "return address"),
    "id_payment": ("收款账户", "payment account"), "id_shipper": ("寄件方（包裹）", "shipper (parcels)"),
    "case_bad_move": ("案件不能转到该状态", "The case cannot move to that status"),
    "case_note_required": ("请填写结案理由", "Say why in a note"),
    "case_title_required": ("请填写案件名称", "A case needs a title"),
    "case_changed": ("案件已被他人修改，请刷新", "The case was changed meanwhile; reload it"),
    "bad_date": ("日期格式应为 YYYY-MM-DD", "Dates are YYYY-MM-DD"),
    "valuation": ("涉案数额估算", "Valuation"), "referral_candidate": ("达到移送标准（待核实）", "Referral candidate (to be verified)"),
    "not_candidate": ("未达到移送标准", "Below the referral thresholds"),
    "business_volume": ("非法经营数额", "Illegal business volume"), "sales_amount": ("销售金额", "Sales amount"),
    "unsold_value": ("货值金额（未销售）", "Value of unsold goods"), "marks": ("涉及商标数", "Marks"),
    "thresholds_version": ("适用标准版本", "Thresholds version"),
    "thresholds_unchecked": ("数额标准未经与官方文本核对", "figures not checked against the official text"),
    "offence": ("罪名条文", "Offence"), "tier": ("档次", "Tier"), "measure": ("数额类型", "Measure"),
    "amount": ("本案数额", "Case figure"), "threshold": ("标准", "Threshold"), "met": ("达到", "met"),
    "no_threshold": ("未录入", "not entered"), "for_information": ("仅供参考", "for information"),
    "valuation_rule": ("计算方法", "Rule"), "problems": ("问题", "Problems"), "caveats": ("注意事项", "Caveats"),
    "parcel_leads_left_out": ("条包裹线索未计入（无价格与销量）", "parcel leads left out (no price or sales)"),
    "art_213": ("刑法第213条 假冒注册商标罪", "Art. 213 counterfeiting a registered mark"),
    "art_214": ("刑法第214条 销售假冒注册商标的商品罪", "Art. 214 selling goods bearing a counterfeit mark"),
    "art_215": ("刑法第215条 非法制造、销售非法制造的注册商标标识罪", "Art. 215 counterfeit mark labels"),
    "tier_serious": ("情节严重/数额较大", "serious"), "tier_serious_two_marks": ("情节严重（两种以上商标）", "serious (two or more marks)"),
    "tier_very_serious": ("情节特别严重/数额巨大", "very serious"),
    "tier_very_serious_two_marks": ("情节特别严重（两种以上商标）", "very serious (two or more marks)"),
    "tier_attempt": ("未遂", "attempt"), "measure_business_volume": ("非法经营数额", "business volume"),
    "measure_gains": ("违法所得", "illegal gains"), "measure_sales": ("销售金额", "sales amount"),
    "measure_unsold_value": ("货值金额", "unsold value"), "measure_combined_value": ("已售与未售合计", "sold and unsold"),
    "measure_labels": ("标识件数", "labels"),
    "case_package": ("下载移送材料（草稿）", "Download referral package (draft)"),
}  # fmt: skip

DISMISS_REASONS = ("dismiss_genuine", "dismiss_unrelated", "dismiss_duplicate", "dismiss_insufficient", "dismiss_other")


def translator(lang: str) -> Callable[..., str]:
    index = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        pair = _TEXT.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def keys() -> set[str]:
    return set(_TEXT)
