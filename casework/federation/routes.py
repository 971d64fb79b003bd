"""Federation pages: the public identity document, and the administrator's directory of
peers (add after the fingerprint ceremony, what each may send, suspend, resume, remove)."""

from __future__ import annotations

import uuid

import segno
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from casework.core.extensions import csrf, db
from casework.crypto.identity import fingerprint_hex, fingerprint_words
from casework.domain import MessageType, PeerEvent
from casework.federation import bp, inbound, operations, outbox
from casework.federation.forms import AddPeerForm, CapabilitiesForm
from casework.federation.identity import (
    FederationNotReady,
    is_ready,
    local_address,
    local_identity_document,
    local_keys,
    local_name,
)
from casework.federation.models import OutboundMessage, Peer
from casework.policy import Action
from casework.web.access import permission
from casework.web.forms import ConfirmForm
from casework.web.loading import load_or_404
from casework.web.views import Page, form_status, paginate, show_operation_error, signed_in_user


@bp.route("/identity")
def identity() -> Response | tuple[Response, int]:
    """Public: this installation's signed identity document (public keys only)."""
    try:
        return jsonify(local_identity_document())
    except FederationNotReady:
        return jsonify({"refused": "not-federated"}), 404


@bp.route("/peers")
@permission(Action.MANAGE_FEDERATION)
def list_peers() -> Page:
    page = paginate(select(Peer).order_by(Peer.status, Peer.name))
    return render_template("federation/peers.html", page=page)


@bp.route("/this-installation")
@permission(Action.MANAGE_FEDERATION)
def this_installation() -> Page:
    try:
        print_ = local_keys().fingerprint
    except FederationNotReady:
        return render_template("federation/identity.html", ready=False)
    words = fingerprint_words(print_)
    qr = segno.make(words, error="m").svg_inline(scale=4, title=_("Fingerprint"), border=2)
    return render_template(
        "federation/identity.html",
        ready=is_ready(),
        name=local_name(),
        address=local_address(),
        words=words.split(),
        hex=fingerprint_hex(print_),
        qr=qr,
    )


@bp.route("/peers/new", methods=["GET", "POST"])
@permission(Action.MANAGE_FEDERATION)
def add_peer() -> Page:
    form = AddPeerForm()
    if form.validate_on_submit():
        try:
            peer = operations.add_peer(
                signed_in_user(),
                address=form.address.data,
                fingerprint=form.fingerprint.data,
                capabilities=form.capabilities.data or [],
            )
        except (operations.PeerError, FederationNotReady) as error:
            show_operation_error(form, error)
        else:
            flash(_("The installation has been added and is trusted."), "success")
            return redirect(url_for("federation.view_peer", peer_id=peer.id))
    return render_template("federation/add.html", form=form), form_status()


@bp.route("/peers/<uuid:peer_id>", methods=["GET", "POST"])
@permission(Action.MANAGE_FEDERATION)
def view_peer(peer_id: uuid.UUID) -> Page:
    peer = load_or_404(Peer, peer_id, Action.MANAGE_FEDERATION)
    form = CapabilitiesForm(data={"capabilities": peer.capabilities})
    if form.validate_on_submit():
        try:
            changed = operations.set_peer_capabilities(
                signed_in_user(), peer, form.capabilities.data or []
            )
        except operations.PeerError as error:
            show_operation_error(form, error)
        else:
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("federation.view_peer", peer_id=peer.id))
    return render_template("federation/peer.html", peer=peer, form=form), form_status()


CONFIRM = {
    PeerEvent.SUSPEND: (operations.suspend_peer, "suspend"),
    PeerEvent.RESUME: (operations.resume_peer, "resume"),
    PeerEvent.REMOVE: (operations.remove_peer, "remove"),
}


@bp.route("/peers/<uuid:peer_id>/<any(suspend, resume, remove):event>", methods=["GET", "POST"])
@permission(Action.MANAGE_FEDERATION)
def change_peer(peer_id: uuid.UUID, event: str) -> Page:
    """GET asks for confirmation; only the POST changes anything."""
    peer = load_or_404(Peer, peer_id, Action.MANAGE_FEDERATION)
    move = PeerEvent(event)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        operation = CONFIRM[move][0]
        try:
            operation(signed_in_user(), peer)
        except operations.PeerError as error:
            flash(str(error), "danger")
        else:
            flash(
                {
                    PeerEvent.SUSPEND: _("Suspended: nothing it sends is accepted."),
                    PeerEvent.RESUME: _("Trusted again."),
                    PeerEvent.REMOVE: _("Removed: nothing it sends will be accepted again."),
                }[move],
                "success",
            )
        return redirect(url_for("federation.view_peer", peer_id=peer.id))
    return render_template(
        "federation/confirm.html", peer=peer, form=form, event=move
    ), form_status()


@bp.route("/inbox", methods=["POST"])
def inbox() -> tuple[Response, int]:
    """Public: a peer delivers one sealed message (see `inbound`)."""
    answer = inbound.receive(request.get_data(cache=False))
    return jsonify(answer.body), answer.status


# Another installation posts here, not a browser: the message's own signature authenticates it.
csrf.exempt(inbox)


@bp.route("/outbox")
@permission(Action.MANAGE_FEDERATION)
def outbox_page() -> Page:
    page = paginate(select(OutboundMessage).order_by(OutboundMessage.created_at.desc()))
    dead = db.session.execute(outbox.dead_letters().limit(100)).scalars().all()
    return render_template("federation/outbox.html", page=page, dead=dead, form=ConfirmForm())


@bp.route("/outbox/<uuid:message_id>/retry", methods=["POST"])
@permission(Action.MANAGE_FEDERATION)
def retry_message(message_id: uuid.UUID) -> Page:
    row = load_or_404(OutboundMessage, message_id, Action.MANAGE_FEDERATION)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            outbox.retry_message(signed_in_user(), row)
        except FederationNotReady as error:
            flash(str(error), "danger")
        else:
            flash(_("The message will be sent again."), "success")
    return redirect(url_for("federation.outbox_page"))


@bp.route("/peers/<uuid:peer_id>/check", methods=["POST"])
@permission(Action.MANAGE_FEDERATION)
def check_peer(peer_id: uuid.UUID) -> Page:
    """Send a connection check (a `hello` message) through the outbox."""
    peer = load_or_404(Peer, peer_id, Action.MANAGE_FEDERATION)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            outbox.send_message(peer, MessageType.HELLO, {}, actor=signed_in_user())
        except FederationNotReady as error:
            flash(str(error), "danger")
        else:
            flash(_("A connection check is on its way: see the outbox."), "success")
    return redirect(url_for("federation.view_peer", peer_id=peer.id))
