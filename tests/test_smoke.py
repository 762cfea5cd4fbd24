def test_home_renders_for_supervisor(org, login):
    # given
    client = login(org.s1)
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    assert "T1" in response.content.decode()
