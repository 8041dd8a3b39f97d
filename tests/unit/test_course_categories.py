from app.services.course_categories import UNCATEGORISED, Folder, build_tree, category_labels, split_categories


def test_categories_split_on_commas_and_folder_levels() -> None:
    assert split_categories("  Santé  et sécurité>Prévention ,, Management , Management,  > ") == [
        ("Santé et sécurité", "Prévention"),
        ("Management",),
    ]
    assert split_categories("") == []
    assert category_labels("A>B, C") == ["A > B", "C"]


def test_the_tree_nests_folders_and_counts_each_course_once_per_folder() -> None:
    tree = build_tree(
        {
            "Santé et sécurité > Prévention des risques, Management": 2,
            "Santé et sécurité > Secourisme": 1,
            "Management > Agilité": 1,
            "A > B, A > C": 1,
            "": 1,
            " , ": 2,
        }
    )
    assert [(f.path, f.depth, f.courses, f.has_children) for f in tree] == [
        ("A", 0, 1, True),
        ("A > B", 1, 1, False),
        ("A > C", 1, 1, False),
        ("Management", 0, 3, True),
        ("Management > Agilité", 1, 1, False),
        ("Santé et sécurité", 0, 3, True),
        ("Santé et sécurité > Prévention des risques", 1, 2, False),
        ("Santé et sécurité > Secourisme", 1, 1, False),
        (UNCATEGORISED, 0, 3, False),
    ]
    assert tree[6] == Folder(
        "Santé et sécurité > Prévention des risques", "Prévention des risques", 1, 2, "Santé et sécurité", False
    )
