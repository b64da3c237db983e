"""The five demo sub-districts (DESIGN §4). Names of districts, sub-districts and the communities that
DESIGN names are real; the other community names, all people, coordinates and compounds are synthetic.
The figures the sub-districts' own reports give are reproduced exactly; tests check them.
"""

from typing import Any

DISTRICTS = [
    # code, name, city
    ("330105", "拱墅区", "杭州市"),
    ("330109", "萧山区", "杭州市"),
    ("340111", "包河区", "合肥市"),
]

# Approximate centres (GCJ-02) around which synthetic compounds are scattered.
CENTRES = {
    "xiangfu": (30.3352, 120.1287),
    "shangtang": (30.3071, 120.1608),
    "daguan": (30.2987, 120.1486),
    "chengxiang": (30.1617, 120.2662),
    "wanghu": (31.8131, 117.3032),
}

XIANGFU: dict[str, Any] = {
    "key": "xiangfu",
    "code": "330105010",
    "name": "祥符街道",
    "district": "330105",
    "address": "杭州市拱墅区春雀街92号（党群服务中心，3000平方米，十个功能区）",
    # 17 communities, all with a party-mass service centre; 87 micro-governance compounds in 16 of them.
    "communities": [
        "申慧",
        "阮家桥",
        "秀水",
        "蓝孔雀",
        "方家埭",
        "庆隆",
        "新文",
        "北秀",
        "勤丰",
        "杨家",
        "总管堂",
        "吉祥",
        "通益",
        "花园岗",
        "星桥",
        "和睦",
        "莫干山",
    ],
    "micro_governance_compounds": 87,
    "micro_governance_first_batch": 36,
    "commissioners": 93,
    "named_compounds": {"申慧": ["慧园小区"]},
}

SHANGTANG: dict[str, Any] = {
    "key": "shangtang",
    "code": "330105011",
    "name": "上塘街道",
    "district": "330105",
    "address": "杭州市拱墅区上塘街道党群服务中心（5800平方米）",
    # 21 communities and economic co-operatives in all.
    "communities": [
        "善贤",
        "拱宸",
        "皋亭",
        "蔡马",
        "假山路",
        "绍兴路",
        "七古登",
        "宸北",
        "塘北",
        "永固",
        "红石板",
        "长乐",
        "和平",
        "香积寺",
        "运河",
        "新塘",
        "上塘",
        "瓜山",
    ],
    "economic_coops": ["蔡马经济合作社", "皋亭经济合作社", "善贤经济合作社"],
    "party_members": 2836,  # "2,800+ party members"
}

DAGUAN: dict[str, Any] = {
    "key": "daguan",
    "code": "330105012",
    "name": "大关街道",
    "district": "330105",
    "address": "杭州市拱墅区大关街道",
    "communities": ["西一", "东一", "东二", "南苑", "西二", "德胜", "翠玉"],
    "named_compounds": {"南苑": ["南八苑"]},
}

CHENGXIANG: dict[str, Any] = {
    "key": "chengxiang",
    "code": "330109001",
    "name": "城厢街道",
    "district": "330109",
    "address": "杭州市萧山区城厢街道",
    # Two communities of each of the five community types.
    "communities": [
        ("城河", "historic"),
        ("南门", "historic"),
        ("俞家潭", "elderly_care"),
        ("西河", "elderly_care"),
        ("湘湖", "vibrant"),
        ("休博园", "vibrant"),
        ("育才", "renewal"),
        ("城南", "renewal"),
        ("回澜", "integration"),
        ("萧然", "integration"),
    ],
}

WANGHU: dict[str, Any] = {
    "key": "wanghu",
    "code": "340111005",
    "name": "望湖街道",
    "district": "340111",
    "address": "合肥市包河区望湖街道",
    "communities": ["望湖", "南塘", "伊宁", "金湖", "宁西"],
    "compound_party_orgs": 29,  # one branch per compound
    "building_party_groups": 233,  # one group per building
    "branches": 74,  # 29 compound branches + community-level branches
    "governance_teams": 28,
    "instructors": 29,
    "red_stewards": 52,
    "student_stewards": 28,
}

SUBDISTRICTS = [XIANGFU, SHANGTANG, DAGUAN, CHENGXIANG, WANGHU]

DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - documented demo credential
