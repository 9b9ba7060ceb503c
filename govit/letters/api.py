"""The API of the documents (issue 21): list, generate, download (DOCX or PDF), make final."""
import io

from flask import g, jsonify, request, send_file

from ..api import bp, body
from ..api import inputs
from ..auth.access import load_project
from ..domain.letters import PROJECT_KINDS
from . import services


@bp.get("/projects/<int:project_id>/letters")
def list_letters(project_id: int):
    project = load_project(project_id, g.api_user)
    return jsonify([services.letter_json(x) for x in services.project_letters(project)
                    if services.visible(g.api_user, x)])


@bp.post("/projects/<int:project_id>/letters")
def create_letter(project_id: int):
    project = load_project(project_id, g.api_user)
    kind = inputs.choice(body(), "kind", PROJECT_KINDS)
    return jsonify(services.letter_json(services.generate(g.api_user, project, kind))), 201


@bp.get("/projects/<int:project_id>/letters/download")
def download_letter(project_id: int):
    """?letter_id=N&format=docx|pdf: the final letter's frozen PDF, or a draft's made now."""
    project = load_project(project_id, g.api_user)
    letter_id = inputs.row_id(request.args, "letter_id")
    fmt = inputs.choice(request.args, "format", ("docx", "pdf"))
    letter = services.check_visible(g.api_user, services.get_letter(letter_id, project))
    data, mimetype, name = services.file_of(letter, fmt)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.post("/projects/<int:project_id>/letters/final")
def finalize_letter(project_id: int):
    """{letter_id}: the 文号 taken, the PDF frozen, the department told."""
    project = load_project(project_id, g.api_user)
    letter = services.get_letter(inputs.row_id(body(), "letter_id"), project)
    return jsonify(services.letter_json(services.finalize(g.api_user, letter)))
