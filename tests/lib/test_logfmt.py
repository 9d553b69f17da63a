from lib.logfmt import logfmt


def test_it_quotes_only_what_needs_it():
    assert logfmt(a="plain", b="with space", c="", d=3) == 'a=plain b="with space" c="" d=3'


def test_a_value_cannot_break_the_line_or_forge_a_field():
    line = logfmt(path='/a\nstatus=200 x="y', status=404)
    assert "\n" not in line
    assert line == 'path="/a\\nstatus=200 x=\\"y" status=404'
