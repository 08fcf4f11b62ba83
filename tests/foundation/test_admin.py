"""Administration of users and agencies."""

from __future__ import annotations

from sqlalchemy import func, select


def test_admin_creates_an_officer(web, cast, sessions):
    from tracker.accounts.models import User

    response = web(cast.admin).post("/admin/users", data={
        "username": "Nguyen.Van.A", "full_name": "Nguyễn Văn A", "email": "a@example.gov.vn",
        "role": "officer", "agency_id": str(cast.police), "password": "mot-mat-khau-dai"}, follow_redirects=True)
    assert "Đã tạo người dùng nguyen.van.a" in response.get_data(as_text=True)
    with sessions() as s:
        user = s.scalar(select(User).where(User.username == "nguyen.van.a"))
        assert user.agency_id == cast.police and user.password_hash.startswith("scrypt:")


def test_invalid_user_form_keeps_input_and_shows_each_error(web, cast, sessions):
    from tracker.accounts.models import User

    response = web(cast.admin).post("/admin/users", data={
        "username": "clerk", "full_name": "Trùng tên", "email": "khong-phai-email", "role": "officer",
        "agency_id": "", "password": "ngan"})
    page = response.get_data(as_text=True)
    assert "Địa chỉ thư không hợp lệ." in page
    assert "Ít nhất 8 ký tự." in page
    assert 'value="Trùng tên"' in page
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 5


def test_officer_without_agency_is_refused(web, cast):
    page = web(cast.admin).post("/admin/users", data={
        "username": "x1", "full_name": "X", "role": "officer", "agency_id": "", "password": "mot-mat-khau-dai"}
    ).get_data(as_text=True)
    assert "Cán bộ cơ quan phải thuộc một cơ quan." in page


def test_non_admin_cannot_create_users(web, cast):
    response = web(cast.leader).post("/admin/users", data={
        "username": "x2", "full_name": "X", "role": "admin", "password": "mot-mat-khau-dai"})
    assert response.status_code == 403


def test_deactivated_user_cannot_sign_in(web, cast):
    from tests.conftest import PASSWORD

    web(cast.admin).post(f"/admin/users/{cast.clerk}/active")
    response = web().post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 401


def test_admin_edits_an_agency_and_finds_it_without_diacritics(web, cast, sessions):
    browser = web(cast.admin)
    response = browser.post(f"/admin/agencies/{cast.police}", data={
        "name": "Công an tỉnh", "short_name": "CA tỉnh", "abbreviation": "CAT", "kind": "sector",
        "aliases": "Công an tỉnh Kiên Giang\nCA tỉnh KG", "emails": "congan@example.gov.vn", "active": "y",
        "parent_id": ""}, follow_redirects=True)
    assert "Đã lưu cơ quan Công an tỉnh" in response.get_data(as_text=True)
    page = browser.get("/admin/agencies?q=cong an kien giang").get_data(as_text=True)
    assert "CA tỉnh" in page
    bad = browser.post(f"/admin/agencies/{cast.police}", data={"name": "Công an tỉnh", "kind": "sector",
                                                               "emails": "khong hop le"})
    assert "Địa chỉ không hợp lệ" in bad.get_data(as_text=True)


def test_admin_imports_a_catalog_file_through_the_page(web, cast, sessions):
    import io

    from tracker.agencies.models import Agency

    content = ('[[agency]]\ncode = "so-y-te"\nname = "Sở Y tế"\nkind = "department"\n'
               'aliases = ["SYT"]\n').encode()
    browser = web(cast.admin)
    for _ in range(2):
        response = browser.post("/admin/agencies/import", data={"file": (io.BytesIO(content), "danh-muc.toml")},
                                content_type="multipart/form-data", follow_redirects=True)
    assert "không đổi 1 cơ quan" in response.get_data(as_text=True)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Agency).where(Agency.name == "Sở Y tế")) == 1
    broken = browser.post("/admin/agencies/import", data={"file": (io.BytesIO(b"[[agency]]\nname = 1"), "x.toml")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "Không nhập được danh mục" in broken.get_data(as_text=True)
