"""Every region of genesys-api.md §5.2 maps to its hosts, by SDK key and by domain."""

import pytest

from genesys_quality.genesys import (
    GenesysClient,
    GenesysConfigurationError,
    Hosts,
    UnknownRegionError,
    resolve_hosts,
)

# (SDK key, API host, login host), copied from genesys-api.md §5.2.
REGION_TABLE = [
    ("us_east_1", "api.mypurecloud.com", "login.mypurecloud.com"),
    ("us_east_2", "api.use2.us-gov-pure.cloud", "login.use2.us-gov-pure.cloud"),
    ("us_west_2", "api.usw2.pure.cloud", "login.usw2.pure.cloud"),
    ("ca_central_1", "api.cac1.pure.cloud", "login.cac1.pure.cloud"),
    ("sa_east_1", "api.sae1.pure.cloud", "login.sae1.pure.cloud"),
    ("mx_central_1", "api.mxc1.pure.cloud", "login.mxc1.pure.cloud"),
    ("eu_west_1", "api.mypurecloud.ie", "login.mypurecloud.ie"),
    ("eu_west_2", "api.euw2.pure.cloud", "login.euw2.pure.cloud"),
    ("eu_central_1", "api.mypurecloud.de", "login.mypurecloud.de"),
    ("eu_central_2", "api.euc2.pure.cloud", "login.euc2.pure.cloud"),
    ("eusc_de_east_1", "api.edee1.eusc-pure.cloud", "login.edee1.eusc-pure.cloud"),
    ("me_central_1", "api.mec1.pure.cloud", "login.mec1.pure.cloud"),
    ("ap_south_1", "api.aps1.pure.cloud", "login.aps1.pure.cloud"),
    ("ap_southeast_1", "api.apse1.pure.cloud", "login.apse1.pure.cloud"),
    ("ap_southeast_2", "api.mypurecloud.com.au", "login.mypurecloud.com.au"),
    ("ap_northeast_1", "api.mypurecloud.jp", "login.mypurecloud.jp"),
    ("ap_northeast_2", "api.apne2.pure.cloud", "login.apne2.pure.cloud"),
    ("ap_northeast_3", "api.apne3.pure.cloud", "login.apne3.pure.cloud"),
]


def test_table_covers_all_18_regions():
    assert len({key for key, _, _ in REGION_TABLE}) == 18


@pytest.mark.parametrize("key,api_host,login_host", REGION_TABLE)
def test_region_key_maps_to_api_and_login_hosts(key, api_host, login_host):
    assert resolve_hosts(key) == Hosts(f"https://{api_host}", f"https://{login_host}")


@pytest.mark.parametrize("key,api_host,login_host", REGION_TABLE)
def test_region_domain_and_api_host_map_to_the_same_hosts(key, api_host, login_host):
    domain = api_host.removeprefix("api.")
    expected = Hosts(f"https://{api_host}", f"https://{login_host}")
    assert resolve_hosts(domain) == expected
    assert resolve_hosts(api_host) == expected
    assert resolve_hosts(key.replace("_", "-").upper()) == expected


def test_default_region_is_us_east_1():
    client = GenesysClient("id", "secret")
    assert client.hosts == Hosts("https://api.mypurecloud.com", "https://login.mypurecloud.com")
    client.close()


def test_unknown_region_error_lists_valid_keys_and_is_a_value_error():
    with pytest.raises(UnknownRegionError) as caught:
        resolve_hosts("mars_north_1")
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "'mars_north_1'" in message and "GENESYS_REGION" in message
    for key, _, _ in REGION_TABLE:
        assert key in message


def test_overrides_allow_plain_http_for_loopback_and_drop_trailing_slash():
    hosts = resolve_hosts("eu_west_1", "http://127.0.0.1:8080/", "http://127.0.0.1:9090")
    assert hosts == Hosts("http://127.0.0.1:8080", "http://127.0.0.1:9090")


def test_api_override_alone_serves_login_from_the_same_loopback_url():
    assert resolve_hosts(api_base_url="http://127.0.0.1:8080").login_base_url == "http://127.0.0.1:8080"


def test_api_override_alone_derives_login_twin_of_an_api_host():
    hosts = resolve_hosts(api_base_url="https://api.mypurecloud.ie")
    assert hosts.login_base_url == "https://login.mypurecloud.ie"


@pytest.mark.parametrize("url", ["ftp://host", "api.mypurecloud.com", "https://host/?x=1"])
def test_bad_override_url_names_the_setting(url):
    with pytest.raises(GenesysConfigurationError, match="GENESYS_API_BASE_URL"):
        resolve_hosts(api_base_url=url)
