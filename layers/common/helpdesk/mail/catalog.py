"""Every text of the notification e-mails, one catalogue per language with the same keys and the same
{placeholders} (a test holds them to that). Placeholder values are filled in by helpdesk.mail.compose,
which escapes them for the HTML part; these strings are plain text, never markup."""

from __future__ import annotations

DEFAULT_LANGUAGE = "es"

ES: dict[str, str] = {
    "greeting": "Estimado/a cliente:",
    "no_subject": "(sin asunto)",
    "receipt_intro": (
        "Hemos recibido su consulta. Su número de ticket es {ticket_id}; indíquelo siempre que se "
        "ponga en contacto con nosotros sobre este asunto."
    ),
    "receipt_next": "El equipo de {department} la revisará y le responderá lo antes posible.",
    "operator_reply_intro": "Hay una nueva respuesta a su ticket {ticket_id}.",
    "auto_closed_intro": (
        "Su ticket {ticket_id} se ha cerrado automáticamente como resuelto, ya que no hemos recibido "
        "respuesta suya en {hours} horas."
    ),
    "closed_intro": "Le confirmamos que su ticket {ticket_id} ha quedado cerrado.",
    "reminder_intro": "Su ticket {ticket_id} está a la espera de su respuesta.",
    "reminder_when": "Si no nos responde, se cerrará como resuelto {when}.",
    "reminder_how": (
        "Si todavía necesita ayuda, responda a este correo escribiendo por encima de la línea que "
        "aparece al principio del mensaje, y el ticket seguirá abierto."
    ),
    "label_ticket": "Ticket",
    "label_subject": "Asunto",
    "label_department": "Departamento",
    "label_status": "Estado",
    # Must stay equal to Status.label: these are the names the website shows (a test checks it).
    "status_OPEN": "Abierto",
    "status_WAITING": "Espera",
    "status_CLOSED": "Cerrado",
    "quote_receipt": "Este es el mensaje que recibimos:",
    "quote_operator_reply": "{author} le ha respondido:",
    "add_info": (
        "Si desea añadir información, responda a este correo escribiendo por encima de la línea que "
        "aparece al principio del mensaje."
    ),
    "reply_how": (
        "Para contestar, responda a este correo escribiendo su respuesta por encima de la línea que "
        "aparece al principio del mensaje."
    ),
    "reply_web": "También puede responder desde nuestra web: {url}",
    "reply_web_generic": "También puede responder desde el área de clientes de nuestra web.",
    "view_web": "Puede consultar el estado del ticket en nuestra web: {url}",
    "auto_close_warning": (
        "Si no recibimos respuesta en {hours} horas, el ticket se cerrará automáticamente como resuelto."
    ),
    "reopen_how": (
        "Si necesita algo más sobre este asunto, responda a este correo y el ticket se volverá a abrir."
    ),
    "reopen_web": "También puede reabrirlo desde nuestra web: {url}",
    "reopen_web_generic": "También puede reabrirlo desde el área de clientes de nuestra web.",
    "rating_ask": "¿Le hemos ayudado? Valore nuestra atención con un clic (podrá cambiarlo después):",
    "rating_good": "Bien: {url}",
    "rating_bad": "Mal: {url}",
    "sign_off": "Atentamente,",
    "signature": "El equipo de {department}",
    "footer": "Referencia del ticket: {ticket_id}. Si responde, conserve «[#{ticket_id}]» en el asunto.",
    "attachments_refused_subject": "Adjuntos no guardados",
    "attachments_refused_intro": (
        "Su mensaje se ha añadido al ticket {ticket_id}, pero estos adjuntos no se han guardado "
        "porque superan el número o el tamaño permitidos ({limit}):"
    ),
    "attachments_limit": "{files} archivos, {megabytes} MB",
    "attachments_refused_how": "Puede enviarlos en varios correos o compartirlos mediante un enlace.",
    "confirm_subject": "Confirme su dirección de correo para Netz0",
    "confirm_intro": (
        "{requester} ha pedido que la dirección {address} pueda abrir y responder tickets de soporte "
        "de su cuenta de cliente de Netz0 ({account}) y recibir sus avisos."
    ),
    "confirm_link": "Si está de acuerdo, confírmelo en este enlace: {url}",
    "confirm_code": "También puede escribir este código en la página de confirmación: {code}",
    "confirm_code_only": (
        "Para confirmarlo, escriba este código en la página de confirmación del área de clientes: {code}"
    ),
    "confirm_expires": "El enlace y el código caducan el {expires} (UTC) y solo sirven una vez.",
    "confirm_ignore": (
        "Si no sabe de qué se trata, ignore este correo: sin su confirmación esa dirección no queda "
        "autorizada en ninguna cuenta."
    ),
    # ---- staff mail (helpdesk.mail.staff): to operators, in the language they chose
    "staff_greeting": "Hola, {name}:",
    "staff_subject_new_ticket": "Nuevo ticket",
    "staff_subject_customer_reply": "El cliente ha respondido",
    "staff_subject_assigned": "Ticket asignado a usted",
    "staff_subject_note": "Nota interna",
    "staff_subject_sla_warning": "SLA a punto de vencer",
    "staff_subject_sla_breach": "SLA incumplido",
    "staff_intro_new_ticket": "Se ha abierto el ticket {ticket_id} en {department}.",
    "staff_intro_customer_reply": "El cliente ha respondido al ticket {ticket_id}.",
    "staff_intro_assigned": "{actor} le ha asignado el ticket {ticket_id}.",
    "staff_intro_note": "{actor} ha dejado una nota interna en el ticket {ticket_id}.",
    "staff_intro_sla_warning": "El plazo de respuesta del ticket {ticket_id} está a punto de vencer.",
    "staff_intro_sla_breach": "El plazo de respuesta del ticket {ticket_id} ha vencido sin respuesta.",
    "staff_label_customer": "Cliente",
    "staff_label_channel": "Canal",
    "staff_quote": "{author} escribió:",
    "staff_open": "Abrir el ticket en el portal: {url}",
    "staff_open_generic": "Ábralo en el portal de operadores.",
    "staff_footer": (
        "Recibe este aviso por sus preferencias de operador («Mis ajustes» en el portal). "
        "No responda a este correo: conteste desde el portal."
    ),
    "channel_web": "web",
    "channel_email": "correo electrónico",
    "channel_phone": "teléfono",
    "channel_chat": "chat",
}

EN: dict[str, str] = {
    "greeting": "Dear customer,",
    "no_subject": "(no subject)",
    "receipt_intro": (
        "We have received your request. Your ticket number is {ticket_id}; please quote it whenever "
        "you contact us about this matter."
    ),
    "receipt_next": "The {department} team will review it and get back to you as soon as possible.",
    "operator_reply_intro": "There is a new reply to your ticket {ticket_id}.",
    "auto_closed_intro": (
        "Your ticket {ticket_id} has been closed automatically as resolved, as we have not heard from "
        "you in {hours} hours."
    ),
    "closed_intro": "This is to confirm that your ticket {ticket_id} has been closed.",
    "reminder_intro": "Your ticket {ticket_id} is waiting for your answer.",
    "reminder_when": "Unless you answer, it will be closed as resolved on {when}.",
    "reminder_how": (
        "If you still need help, reply to this e-mail, writing above the line at the top of the "
        "message, and the ticket will stay open."
    ),
    "label_ticket": "Ticket",
    "label_subject": "Subject",
    "label_department": "Department",
    "label_status": "Status",
    "status_OPEN": "Open",
    "status_WAITING": "Waiting for your reply",
    "status_CLOSED": "Closed",
    "quote_receipt": "This is the message we received:",
    "quote_operator_reply": "{author} replied:",
    "add_info": (
        "If you would like to add information, reply to this e-mail, writing above the line at the "
        "top of the message."
    ),
    "reply_how": "To answer, reply to this e-mail, writing above the line at the top of the message.",
    "reply_web": "You can also reply on our website: {url}",
    "reply_web_generic": "You can also reply from the customer area of our website.",
    "view_web": "You can follow the ticket on our website: {url}",
    "auto_close_warning": (
        "If we do not hear from you within {hours} hours, the ticket will be closed automatically "
        "as resolved."
    ),
    "reopen_how": (
        "If you need anything else about this matter, reply to this e-mail and the ticket will reopen."
    ),
    "reopen_web": "You can also reopen it on our website: {url}",
    "reopen_web_generic": "You can also reopen it from the customer area of our website.",
    "rating_ask": "Did we help? Rate our support with one click (you can change it later):",
    "rating_good": "Good: {url}",
    "rating_bad": "Bad: {url}",
    "sign_off": "Kind regards,",
    "signature": "The {department} team",
    "footer": "Ticket reference: {ticket_id}. If you reply, please keep “[#{ticket_id}]” in the subject.",
    "attachments_refused_subject": "Attachments not kept",
    "attachments_refused_intro": (
        "Your message was added to ticket {ticket_id}, but these attachments were not kept because "
        "they exceed the allowed number or size ({limit}):"
    ),
    "attachments_limit": "{files} files, {megabytes} MB",
    "attachments_refused_how": "You can send them in several e-mails or share a link instead.",
    "confirm_subject": "Confirm your e-mail address for Netz0",
    "confirm_intro": (
        "{requester} asked that {address} may open and answer support tickets of their Netz0 "
        "customer account ({account}) and receive its notices."
    ),
    "confirm_link": "If you agree, confirm it with this link: {url}",
    "confirm_code": "You can also type this code on the confirmation page: {code}",
    "confirm_code_only": "To confirm it, type this code on the customer area's confirmation page: {code}",
    "confirm_expires": "The link and the code expire on {expires} (UTC) and work once.",
    "confirm_ignore": (
        "If you do not know what this is about, ignore this e-mail: without your confirmation the "
        "address is not authorized on any account."
    ),
    # ---- staff mail
    "staff_greeting": "Hello {name},",
    "staff_subject_new_ticket": "New ticket",
    "staff_subject_customer_reply": "The customer replied",
    "staff_subject_assigned": "A ticket was assigned to you",
    "staff_subject_note": "Internal note",
    "staff_subject_sla_warning": "SLA due soon",
    "staff_subject_sla_breach": "SLA breached",
    "staff_intro_new_ticket": "Ticket {ticket_id} was opened in {department}.",
    "staff_intro_customer_reply": "The customer replied to ticket {ticket_id}.",
    "staff_intro_assigned": "{actor} assigned ticket {ticket_id} to you.",
    "staff_intro_note": "{actor} left an internal note on ticket {ticket_id}.",
    "staff_intro_sla_warning": "The response target of ticket {ticket_id} is about to fall due.",
    "staff_intro_sla_breach": "The response target of ticket {ticket_id} passed without an answer.",
    "staff_label_customer": "Customer",
    "staff_label_channel": "Channel",
    "staff_quote": "{author} wrote:",
    "staff_open": "Open the ticket in the portal: {url}",
    "staff_open_generic": "Open it in the operators' portal.",
    "staff_footer": (
        "You receive this because of your operator settings (\u201cMy settings\u201d in the portal). "
        "Do not reply to this mail: answer in the portal."
    ),
    "channel_web": "web",
    "channel_email": "e-mail",
    "channel_phone": "phone",
    "channel_chat": "chat",
}

CATALOGS: dict[str, dict[str, str]] = {"es": ES, "en": EN}
