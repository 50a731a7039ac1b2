"""Region inference from agency names (cpca), and its known traps."""

from gongkai.regions import infer


def test_county_and_city_from_name():
    r = infer("淮安市洪泽区人民政府").region
    assert (r.province, r.city, r.county, r.adcode) == ("江苏省", "淮安市", "洪泽区", "320813")
    assert infer("洪泽区人民政府").name_key == infer("淮安市洪泽区人民政府").name_key == "洪泽区人民政府"


def test_unknown_county_is_not_placed_in_chongqing():
    # cpca matches the bare character 县 to 重庆市's county group; an unknown county must stay unknown.
    assert infer("桐湾县人民政府").region is None
    assert infer("县教育局").region is None
    # A real Chongqing county is still found.
    assert infer("城口县人民政府").region.adcode == "500229"
