import pytest

from gongzhi.core.geo import distance_m, gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

# Published reference pairs (WGS-84 lat, lng) -> (GCJ-02 lat, lng) used by the common open-source converters.
KNOWN = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),  # Beijing, Tiananmen
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_wgs84_to_gcj02_matches_published_points(wgs, gcj):
    lat, lng = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-7)
    assert lng == pytest.approx(gcj[1], abs=1e-7)


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_gcj02_to_wgs84_recovers_the_original_within_a_decimetre(wgs, gcj):
    lat, lng = gcj02_to_wgs84(*gcj)
    assert distance_m(lat, lng, *wgs) < 0.1


def test_offset_in_hangzhou_is_hundreds_of_metres():
    lat, lng = wgs84_to_gcj02(30.3352, 120.1287)
    assert 300 < distance_m(30.3352, 120.1287, lat, lng) < 800


def test_outside_china_is_unchanged():
    assert out_of_china(51.5, -0.12)
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
    assert gcj02_to_wgs84(51.5, -0.12) == (51.5, -0.12)
