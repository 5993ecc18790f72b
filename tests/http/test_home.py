"""The home page: signed out it says what Accord is and how to start; signed in it lists
the person's communities as before."""

from __future__ import annotations

WELCOME = "decides every change to it by consent"


def test_signed_out_home_explains_accord_and_points_to_sign_in_and_demo(client, make):
    world = make.community(private=False)
    make.session.rollback()
    text = client.get("/").get_data(as_text=True)
    assert WELCOME in text
    assert "Anyone can check that the record was never changed." in text
    assert 'href="/sign-in"' in text and "facilitator@demo.accord" in text
    assert "Public communities" in text and world.community.name in text


def test_signed_in_home_keeps_the_list_of_communities(client, login, make):
    world = make.community()
    make.session.rollback()
    login(client, world.facilitator)
    text = client.get("/").get_data(as_text=True)
    assert WELCOME not in text
    assert ">Communities</h1>" in text and world.community.name in text
