"""Every text the registry shows people, in Chinese (default) and English."""

from __future__ import annotations

from crosscheck_platform import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    # values
    "registry.value.required": ("此项为必填项", "This cell is required."),
    "registry.value.too_long": (
        "内容过长(最多 {limit} 个字)",
        "Too long (at most {limit} characters).",
    ),
    "registry.value.phone": (
        "联系电话“{value}”格式不正确,应为11位手机号或带区号的固定电话(如0878-6123456)",
        "Phone “{value}” is malformed: use an 11-digit mobile or a landline with area code "
        "(e.g. 0878-6123456).",
    ),
    "registry.value.township_code": (
        "乡镇代码“{value}”应为9位数字",
        "Township code “{value}” must be 9 digits.",
    ),
    "registry.value.county_code": (
        "县代码“{value}”应为6位数字",
        "County code “{value}” must be 6 digits.",
    ),
    "registry.value.village_code": (
        "村委会代码“{value}”应为12位数字",
        "Village committee code “{value}” must be 12 digits.",
    ),
    "registry.value.village_outside": (
        "村委会代码“{value}”不属于本乡镇({township})",
        "Village committee code “{value}” is not in township {township}.",
    ),
    "registry.value.site_type": (
        "未知的场所类型“{value}”,可填:企业、学校、超市、小商店、小餐饮、小旅馆、小娱乐场所、"
        "小诊所、小学校、小作坊、小网吧、小美容洗浴、其他",
        "Unknown place type “{value}”; use one of the listed types (企业, 学校, 超市, 小商店, "
        "小餐饮, 小旅馆, 小娱乐场所, 小诊所, 小学校, 小作坊, 小网吧, 小美容洗浴, 其他).",
    ),
    "registry.value.yes_no": ("“{value}”应填“是”或“否”", "“{value}” must be 是 (yes) or 否 (no)."),
    "registry.value.coordinate": ("坐标“{value}”不正确", "Coordinate “{value}” is invalid."),
    # aggregates
    "registry.township.outside_county": (
        "乡镇代码 {code} 不属于县 {county}",
        "Township code {code} is not in county {county}.",
    ),
    "registry.township.exists": ("乡镇 {code} 已登记", "Township {code} is already registered."),
    "registry.township.unknown": ("乡镇 {code} 尚未登记", "Township {code} is not registered."),
    "registry.village.code_taken": (
        "村委会代码 {code} 已登记为“{name}”",
        "Village committee code {code} is already registered as “{name}”.",
    ),
    "registry.village.name_taken": (
        "本乡镇已有名为“{name}”的村委会(代码 {code})",
        "This township already has a village committee named “{name}” (code {code}).",
    ),
    "registry.village.unknown": (
        "未找到村委会 {village_id}",
        "Village committee {village_id} not found.",
    ),
    "registry.site.unknown": ("未找到场所 {site_id}", "Place {site_id} not found."),
    "registry.site.closed": (
        "场所“{name}”已注销,不能再修改",
        "Place “{name}” is closed and can no longer be changed.",
    ),
    "registry.site.name_taken": (
        "该村委会已有同名场所“{name}”",
        "This village committee already has a place named “{name}”.",
    ),
    "registry.site.nothing_changed": ("没有需要修改的内容", "Nothing to change."),
    "registry.staff.unknown": ("未找到检查人员 {staff_id}", "Staff member {staff_id} not found."),
    "registry.staff.inactive": ("该检查人员已停用", "This staff member is no longer active."),
    "registry.staff.conflict_self": (
        "{name}不能与本人申报回避",
        "{name} cannot declare a conflict with themselves.",
    ),
    "registry.staff.name_taken": (
        "本乡镇已有在册检查人员“{name}”,同名时请加以区分(如“{name}(综治中心)”)",
        "An active staff member named “{name}” exists; tell them apart (e.g. “{name}(unit)”).",
    ),
    "registry.staff.conflict_empty": (
        "回避关系至少要包含一个村委会、场所或检查人员",
        "A conflict names at least one village committee, place or staff member.",
    ),
    # import
    "registry.import.empty": ("上传的文件是空的", "The uploaded file is empty."),
    "registry.import.unreadable": (
        "无法读取文件,请上传 .xlsx 或 .csv 文件",
        "The file cannot be read; upload an .xlsx or .csv file.",
    ),
    "registry.import.unknown_sheet": (
        "无法识别此表:表头中应有“场所名称”“姓名”或“村委会代码”列",
        "Unrecognised sheet: the header needs a 场所名称, 姓名 or 村委会代码 column.",
    ),
    "registry.import.missing_column": (
        "缺少必填列“{column}”",
        "Required column “{column}” is missing.",
    ),
    "registry.import.duplicate_column": (
        "列“{column}”重复出现",
        "Column “{column}” appears twice.",
    ),
    "registry.import.too_many_rows": (
        "表格超过 {limit} 行的上限,请分批导入",
        "The file has more than {limit} rows; import it in parts.",
    ),
    "registry.import.row_too_wide": (
        "第 {row} 行超过 {limit} 个单元格的上限,请删除多余的列后重试",
        "Row {row} has more than {limit} cells; remove the extra columns and try again.",
    ),
    "registry.import.too_many_cells": (
        "表格超过 {limit} 个单元格的上限,请删除多余的列和空白格式,或分批导入",
        "The file has more than {limit} cells; remove extra columns and blank formatting, "
        "or import it in parts.",
    ),
    "registry.import.workbook_too_large": (
        "工作簿解压后超过 {limit_mb} MB 的上限,请删除图片、多余的工作表和格式后重试",
        "Unpacked, the workbook is larger than {limit_mb} MB; remove pictures, extra sheets "
        "and formatting and try again.",
    ),
    "registry.import.workbook_abnormal": (
        "工作簿的结构异常(压缩比过高或组成部分过多),无法导入;请用 Excel 或 WPS 另存后重试",
        "The workbook's structure is abnormal (packed too tightly or too many parts); "
        "save it again with Excel or WPS and try again.",
    ),
    "registry.import.unknown_village": (
        "村委会“{value}”不存在,请先登记该村委会或核对名称",
        "Village committee “{value}” does not exist; register it first or check the name.",
    ),
    "registry.import.unknown_site": (
        "场所“{value}”不存在,请核对名称",
        "Place “{value}” does not exist; check the name.",
    ),
    "registry.import.ambiguous_site": (
        "多个村委会都有场所“{value}”,请写成“村委会/场所名称”",
        "Several village committees have a place “{value}”; write it as village/place.",
    ),
    "registry.import.duplicate_site": (
        "“{village}”已有同名场所“{name}”(第 {first_row} 行)",
        "Place “{name}” appears twice in “{village}” (first on row {first_row}).",
    ),
    "registry.import.duplicate_staff": (
        "姓名“{name}”重复(第 {first_row} 行),同名人员请加以区分",
        "Name “{name}” appears twice (first on row {first_row}); tell them apart.",
    ),
    "registry.import.duplicate_village": (
        "“{value}”重复(第 {first_row} 行)",
        "“{value}” appears twice (first on row {first_row}).",
    ),
    "registry.import.village_renamed": (
        "村委会代码 {code} 已登记为“{old}”,不能通过导入改名为“{new}”",
        "Village committee {code} is registered as “{old}”; an import cannot rename it to “{new}”.",
    ),
    "registry.import.village_name_taken": (
        "村委会“{value}”已以代码 {code} 登记",
        "Village committee “{value}” is already registered with code {code}.",
    ),
    "registry.import.staff_changed": (
        "{name}的此项已登记为“{old}”,导入不能改为“{new}”;如确需变更,请先停用后重新登记",
        "{name} is registered with “{old}” here; an import cannot change it to “{new}”. "
        "Deactivate and enrol again if it really changed.",
    ),
    "registry.import.unknown_staff": (
        "回避人员“{value}”不在本表中,也不是本乡镇在册人员,请核对姓名",
        "“{value}”, listed to be kept apart, is neither in this roster nor on the "
        "township's staff; check the name.",
    ),
    "registry.import.conflict_self": (
        "{name}不能与本人申报回避",
        "{name} cannot be kept apart from themselves.",
    ),
    "registry.import.conflict_kept": (
        "已登记的 {count} 项回避关系未列在表中,回避关系只增不减,仍然保留",
        "{count} declared conflict(s) are not in the file; conflicts are never withdrawn "
        "by an import and stay in force.",
    ),
    "registry.import.rejected": (
        "导入文件有 {count} 处错误,未导入任何数据;请修改后重新上传,或选择跳过错误行导入",
        "The file has {count} error(s); nothing was imported. Fix them and upload again, "
        "or import skipping the invalid rows.",
    ),
    "registry.import.unsafe": (
        "文件结构有误(缺少列或无法识别),未导入任何数据",
        "The file's structure is wrong (missing columns or unrecognised); nothing was imported.",
    ),
    "registry.login.unconfigured": (
        "本服务未接入统一身份认证,暂不能管理登录账号",
        "This registry is not connected to the identity provider; logins cannot be managed.",
    ),
    "registry.login.username": (
        "登录名“{username}”不可用:3–64位,只能含字母、数字及 . _ @ -(可用手机号)",
        "Login name “{username}” cannot be used: 3–64 letters, digits or . _ @ - "
        "(a phone number works).",
    ),
    "registry.login.staff_inactive": (
        "“{name}”已停用,不能开通登录账号",
        "“{name}” is no longer active and cannot be given a login.",
    ),
    "registry.login.role_for_staff": (
        "检查人员的账号只能是检查员、组长或乡镇管理员,不能是“{role}”",
        "A staff member's login is an inspector, group leader or township admin, not “{role}”.",
    ),
    "registry.login.exists": (
        "已开通登录账号“{username}”;如需更换,请先停用原账号或重置密码",
        "A login “{username}” exists already; disable it or reset its password instead.",
    ),
    "registry.login.none": ("尚未开通登录账号", "No login has been given yet."),
    "registry.import.busy": (
        "本乡镇正在进行另一项导入,请稍后重试",
        "Another import for this township is in progress; please try again shortly.",
    ),
}


def register_messages() -> None:
    i18n.register(MESSAGES)
