"""Building a client from GENESYS_* environment variables."""

import pytest

from genesys_quality.genesys import GenesysConfigurationError, UnknownRegionError, from_env


def test_no_client_id_means_no_client():
    assert from_env({}) is None
    assert from_env({"GENESYS_CLIENT_SECRET": "s3cr3t-value", "GENESYS_CLIENT_ID": "  "}) is None


def test_client_id_without_secret_is_an_error_naming_the_missing_variable():
    with pytest.raises(GenesysConfigurationError) as caught:
        from_env({"GENESYS_CLIENT_ID": "my-client"})
    assert "GENESYS_CLIENT_SECRET" in str(caught.value) and "my-client" in str(caught.value)


def test_region_and_overrides_come_from_the_environment():
    client = from_env(
        {
            "GENESYS_CLIENT_ID": "my-client",
            "GENESYS_CLIENT_SECRET": "s3cr3t-value",
            "GENESYS_REGION": "mypurecloud.de",
            "GENESYS_LOGIN_BASE_URL": "http://127.0.0.1:9999",
            "GENESYS_REQUESTS_PER_MINUTE": "120",
        }
    )
    assert client.client_id == "my-client"
    assert client.hosts.api_base_url == "https://api.mypurecloud.de"
    assert client.hosts.login_base_url == "http://127.0.0.1:9999"
    assert client.requests_per_minute == 120
    assert "s3cr3t-value" not in repr(client)
    client.close()


def test_region_defaults_to_us_east_1():
    client = from_env({"GENESYS_CLIENT_ID": "c", "GENESYS_CLIENT_SECRET": "s3cr3t-value"})
    assert client.hosts.api_base_url == "https://api.mypurecloud.com"
    client.close()


def test_requests_per_minute_none_disables_pacing():
    client = from_env(
        {"GENESYS_CLIENT_ID": "c", "GENESYS_CLIENT_SECRET": "s", "GENESYS_REQUESTS_PER_MINUTE": "none"}
    )
    assert client.requests_per_minute is None
    client.close()


@pytest.mark.parametrize("value", ["fast", "0", "-3", "nan"])
def test_bad_requests_per_minute_names_the_variable(value):
    env = {"GENESYS_CLIENT_ID": "c", "GENESYS_CLIENT_SECRET": "s", "GENESYS_REQUESTS_PER_MINUTE": value}
    with pytest.raises(GenesysConfigurationError, match="GENESYS_REQUESTS_PER_MINUTE"):
        from_env(env)


def test_unknown_region_in_environment_is_refused():
    with pytest.raises(UnknownRegionError):
        from_env({"GENESYS_CLIENT_ID": "c", "GENESYS_CLIENT_SECRET": "s", "GENESYS_REGION": "moon"})
