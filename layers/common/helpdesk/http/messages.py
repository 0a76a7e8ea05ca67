"""Every sentence the API answers with, one catalogue per language with the same keys and the same
{placeholders} (a test holds them to that). Keys are the reasons the domain raises
(helpdesk.errors), the field problems of its details, and the request-validation problems the HTTP
layer finds itself; pydantic's own English never reaches a reader. The language is the reader's:
Accept-Language picks es or en, Spanish when it names neither."""

from __future__ import annotations

from typing import Literal

Language = Literal["es", "en"]
DEFAULT_LANGUAGE: Language = "es"

ES: dict[str, str] = {
    # ---- whole-request sentences (error.message)
    "not_signed_in": "Inicie sesión primero: esta petición no lleva un token válido.",
    "no_customer_account": "Su usuario no está vinculado a ninguna cuenta de cliente de Netz0.",
    "operators_do_not_open": "Los tickets los abren los clientes, desde su cuenta o por correo electrónico.",
    "notes_operators_only": "Solo los operadores pueden añadir notas internas.",
    "assign_operators_only": "Solo los operadores pueden asignar tickets.",
    "operators_only": "Solo los operadores pueden usar el directorio de operadores.",
    "unknown_operator": (
        "«{assignee}» no es un operador del servicio de soporte: elija uno de GET /operators, "
        "o null para dejar el ticket sin asignar."
    ),
    "emails_customers_only": "Las direcciones autorizadas se gestionan desde la cuenta del propio cliente.",
    "ticket_not_found": "No existe el ticket {ticket_id} en su cuenta.",
    "no_such_attachment": "El ticket {ticket_id} no tiene ese adjunto.",
    "email_not_authorized": "{email} no es una dirección autorizada de su cuenta.",
    "no_such_route": "Esta dirección no existe en la API.",
    "closed_no_reply": "El ticket {ticket_id} está cerrado: reábralo antes de responder.",
    "closed_no_assign": "El ticket {ticket_id} está cerrado: reábralo antes de asignarlo.",
    "already_closed": "El ticket {ticket_id} ya está cerrado.",
    "not_closed_no_reopen": "El ticket {ticket_id} no está cerrado ({status}), así que no se puede reabrir.",
    "not_waiting": "El ticket {ticket_id} no está esperando al cliente.",
    "status_does_not_allow": "El estado del ticket {ticket_id} ({status}) no permite este cambio.",
    "version_conflict": (
        "El ticket {ticket_id} cambió mientras trabajaba en él (ahora está en la versión {current}; "
        "usted tenía la {expected}). Recárguelo para ver qué cambió: no se ha guardado nada de lo que envió."
    ),
    "changed_meanwhile": "El ticket {ticket_id} cambió en ese mismo momento; inténtelo de nuevo.",
    # ---- canned replies
    "canned_operators_only": "Solo los operadores usan respuestas predefinidas.",
    "canned_reply_not_found": "No existe la respuesta predefinida {id}.",
    "too_many_canned_replies": "Ya hay {limit} respuestas predefinidas, el máximo; elimine alguna primero.",
    "canned_version_conflict": (
        "La respuesta predefinida {id} cambió mientras la editaba (ahora versión {current}, usted "
        "tenía la {expected}). Recárguela: no se ha guardado nada."
    ),
    "unknown_placeholder": "El texto usa marcadores que no existen ({placeholders}). Se admiten: {known}.",
    # ---- merging tickets
    "merge_operators_only": "Solo los operadores pueden unir tickets.",
    "already_merged": "El ticket {ticket_id} ya se unió a {into}; su conversación sigue allí.",
    "ticket_merged": "El ticket {ticket_id} se unió a {into}: haga los cambios en {into}.",
    "merge_into_itself": "Un ticket no se puede unir consigo mismo: elija otro ticket en «into».",
    "merge_target_not_found": "No existe el ticket {into} al que quiere unir {ticket_id}.",
    "merge_target_merged": "El ticket {into} ya se unió a {target}: una {ticket_id} directamente a {target}.",
    "merge_target_merged_here": "El ticket {into} ya se unió a {ticket_id}: no hace falta unirlos otra vez.",
    "merge_across_accounts": (
        "{ticket_id} y {into} son de clientes distintos: solo se unen tickets de la misma cuenta."
    ),
    "rating_link_invalid": (
        "Este enlace de valoración no es válido: cópielo entero del correo o valore el ticket desde "
        "su cuenta."
    ),
    "rating_link_expired": (
        "Este enlace de valoración ha caducado: las valoraciones se recogen durante {days} días desde "
        "el cierre del ticket."
    ),
    "rating_customers_only": "Solo el cliente del ticket puede valorarlo.",
    "rating_needs_closed": "El ticket {ticket_id} no está cerrado ({status}): se valora cuando se cierra.",
    "rating_closing_over": (
        "El ticket {ticket_id} se reabrió después del cierre de este enlace: podrá valorarlo cuando "
        "vuelva a cerrarse."
    ),
    "email_taken": (
        "No se puede autorizar {email} en esta cuenta. Si es suya, contacte con el soporte de Netz0."
    ),
    "too_many_emails": "Una cuenta puede autorizar como máximo {limit} direcciones; elimine una primero.",
    "invalid_email": (
        "No es una dirección de correo válida: escríbala como nombre@dominio, sin nombre visible."
    ),
    "unknown_department": "No existe el departamento «{department}». Elija uno de: {known}.",
    "search_needs_a_word": "Busque al menos una palabra de dos o más letras o cifras.",
    "cursor_invalid": "El cursor no vale para este listado: empiece de nuevo sin él.",
    "export_customers_only": "Solo un cliente puede descargar los tickets de su cuenta.",
    "due_sort_operators_only": "Solo los operadores pueden listar los tickets por vencimiento del SLA.",
    "reports_operators_only": "Los informes son solo para operadores.",
    "report_date_invalid": (
        "La fecha «{field}» no es válida: escríbala como AAAA-MM-DD, por ejemplo 2026-11-25."
    ),
    "report_range_reversed": (
        "El periodo termina antes de empezar: «from» debe ser anterior o igual a «to»."
    ),
    "report_in_future": "El periodo no puede terminar después de hoy ({today}).",
    "report_range_too_long": "Un informe abarca como máximo {limit} días; pida un periodo más corto.",
    "queue_sort_operators_only": "Solo los operadores pueden ver la cola de trabajo (sort=queue).",
    "lookup_operators_only": "Solo los operadores pueden buscar cuentas de clientes.",
    "open_for_operators_only": "Solo los operadores abren tickets en nombre de un cliente.",
    "open_for_needs_account_and_channel": (
        "Para abrir un ticket en nombre de un cliente, indique su cuenta (account_id) y cómo lo pidió "
        "(channel: phone o chat)."
    ),
    "unknown_account": (
        "No hay ninguna cuenta {account_id} con una dirección confirmada a la que enviar el acuse."
    ),
    "open_fields_operators_only": (
        "La cuenta y el canal de un ticket los decide el sistema, no se pueden enviar."
    ),
    "lookup_email_or_account": (
        "Busque por una dirección (email) o por un id de cuenta (account_id), no por ambos."
    ),
    "no_account_for_email": "Ninguna cuenta tiene confirmada la dirección {email}.",
    "no_such_account": "No hay ninguna cuenta {account_id} con una dirección confirmada.",
    "account_filter_operators_only": (
        "Solo los operadores pueden listar los tickets de una cuenta (account_id)."
    ),
    "search_with_queue_filters": (
        "Una búsqueda (q) no se combina con priority, tag, account_id ni sort=queue."
    ),
    "due_sort_department_only": (
        "sort=due lista los tickets que esperan respuesta; solo se puede filtrar por departamento."
    ),
    "attributes_operators_only": (
        "Solo los operadores pueden cambiar la prioridad y las etiquetas de un ticket."
    ),
    "attributes_nothing_to_change": "Envíe la prioridad (priority), las etiquetas (tags) o ambas.",
    "tags_invalid": "Alguna etiqueta no es válida; no se ha cambiado nada.",
    "attribute_filters_operators_only": "Solo los operadores pueden filtrar por prioridad o etiqueta.",
    "bad_if_match": 'If-Match debe ser la versión del ticket que cargó, por ejemplo If-Match: "3".',
    "idempotency_key_expired": "Esta Idempotency-Key ha caducado; envíe una nueva.",
    "idempotency_key_reused": (
        "Esta Idempotency-Key ya se usó para otro ticket. Use una clave nueva para un ticket nuevo."
    ),
    "request_too_large": "La petición ocupa {size} bytes; esta API acepta como máximo {limit} bytes.",
    "body_not_utf8": "El cuerpo de la petición no es texto UTF-8 (byte no válido en la posición {position}).",
    "body_not_base64": "El cuerpo de la petición está marcado como base64 pero no lo es.",
    "malformed_json": "El cuerpo de la petición no es JSON válido (error en la posición {position}).",
    "invalid_request": "La petición no es válida. {summary}.",
    "internal_error": "Algo ha fallado por nuestra parte. No se ha perdido nada; inténtelo de nuevo.",
    "sign_in_email_kept": (
        "{email} es la dirección de inicio de sesión de un usuario del portal de esta cuenta; se "
        "mantiene mientras exista ese usuario."
    ),
    "email_confirmed_elsewhere_first": (
        "{email} se confirmó antes en otra cuenta. Si no fue usted, contacte con el soporte de Netz0."
    ),
    "confirmation_invalid": (
        "Este enlace o código de confirmación no es válido: puede haber caducado, haberse usado ya o "
        "haber sido sustituido por un correo más reciente. Pida uno nuevo desde la cuenta."
    ),
    "confirmation_mails_per_hour": (
        "Demasiados correos de confirmación por ahora (como máximo {limit} por hora); inténtelo más tarde."
    ),
    "confirmation_mails_per_day": (
        "Demasiados correos de confirmación a esta dirección (como máximo {limit} al día); inténtelo mañana."
    ),
    "confirmation_attempts": (
        "Demasiados códigos probados para esta dirección (como máximo {limit} por hora); "
        "inténtelo dentro de una hora."
    ),
    "generic_rate_limited": "Demasiadas peticiones de este tipo por ahora; inténtelo más tarde.",
    # files from the web (services/files.py)
    "upload_name_invalid": (
        "El nombre del archivo no es válido: debe tener entre 1 y {limit} caracteres, "
        "sin caracteres de control."
    ),
    "upload_extension_refused": (
        "No se admiten archivos .{extension} (programas, scripts o páginas web). Si el soporte los "
        "necesita, envíelos comprimidos en un ZIP."
    ),
    "upload_type_refused": (
        "No se admiten archivos de tipo {content_type}. Adjunte imágenes (PNG, JPEG, GIF, WebP), "
        "PDF, texto, CSV, JSON, ZIP o documentos de Office o LibreOffice."
    ),
    "upload_size_refused": (
        "El archivo ocupa {size} bytes: debe tener contenido y ocupar como máximo {limit_mb} MB "
        "({limit} bytes)."
    ),
    "too_many_attachments": "Un mensaje puede llevar como máximo {limit} archivos.",
    "attachments_too_large": (
        "Los archivos suman {size} bytes; un mensaje admite como máximo {limit_mb} MB "
        "({limit} bytes) en total."
    ),
    "upload_not_found": (
        "No encontramos el archivo número {position} entre los que usted subió para este ticket: "
        "puede que la subida no terminara o que haya caducado. Súbalo de nuevo."
    ),
    "attachment_infected": (
        "«{name}» está retenido: el análisis antivirus encontró una amenaza. No se puede descargar; "
        "consulte con el equipo de soporte."
    ),
    "attachment_not_scanned": (
        "«{name}» aún se está analizando en busca de virus. Inténtelo de nuevo en un minuto."
    ),
    # the sentence for a code when the reason is not in the catalogue
    "generic_not_authenticated": "Inicie sesión primero.",
    "generic_forbidden": "Su usuario no puede hacer esto.",
    "generic_not_found": "No se ha encontrado.",
    "generic_conflict": "El estado actual no permite este cambio.",
    "generic_invalid": "La petición no es válida.",
    # ---- field problems (error.details[].message)
    "required": "es obligatorio",
    "not_settable": "no es un campo que usted pueda enviar",
    "empty": "no puede estar vacío",
    "control_characters": "no puede contener caracteres de control",
    "too_short": "debe tener al menos {limit} caracteres",
    "too_long": "debe tener como máximo {limit} caracteres",
    "too_small": "debe ser como mínimo {limit}",
    "too_big": "debe ser como máximo {limit}",
    "not_text": "debe ser un texto",
    "not_integer": "debe ser un número entero",
    "not_boolean": "debe ser true o false",
    "not_object": 'debe ser un objeto JSON, por ejemplo {{"campo": "valor"}}',
    "one_of": "debe ser uno de: {choices}",
    "bad_characters": "contiene caracteres que no se admiten",
    "not_a_version": "no es una versión de ticket",
    "not_a_cursor": "no es un cursor que haya devuelto este listado",
    "not_a_ticket_id": "no es un número de ticket (por ejemplo NZ-12345678)",
    "no_such_ticket": "no existe ese ticket",
    "placeholder_unknown": "usa marcadores que no existen ({placeholders}); se admiten: {known}",
    "merged_ticket": "ese ticket ya se unió a otro",
    "other_account": "es un ticket de otro cliente",
    "same_ticket": "es el mismo ticket",
    "only_department_with_due": "con sort=due solo se admite el filtro department",
    "not_with_queue_filters": "no se combina con priority, tag, account_id ni sort=queue",
    "not_a_date": "no es una fecha AAAA-MM-DD",
    "not_after_to": "debe ser anterior o igual a «to»",
    "not_after_today": "no puede ser posterior a hoy",
    "range_too_long": "el periodo abarca más de {limit} días",
    "not_an_email": "no es una dirección de correo válida",
    "not_a_rating_link": "no es un enlace de valoración nuestro",
    "not_an_operator": "no es el identificador de un operador",
    "token_or_code": "envíe el token del enlace, o la dirección y el código del correo",
    "no_searchable_word": "no contiene ninguna palabra que buscar",
    "not_valid": "no es válido",
    "extension_refused": "es un tipo de archivo que no se admite",
    "type_refused": "no es un tipo de archivo que se admita",
    "too_many": "admite como máximo {limit}",
    "no_such_upload": "no es un archivo que usted haya subido para este ticket",
    "not_list": 'debe ser una lista JSON, por ejemplo ["valor"]',
    "too_many_items": "debe tener como máximo {limit} elementos",
    "email_or_account_id": "envíe email o account_id, uno de los dos",
    "no_such_account_field": "no es una cuenta con una dirección confirmada",
    "not_null": "no puede ser null: envíe un valor u omita el campo",
    "priority_or_tags": "debe llevar priority, tags o ambos",
    "tag_empty": "una etiqueta no puede estar vacía",
    "tag_too_long": "una etiqueta tiene como máximo {limit} caracteres",
    "tag_bad_characters": "una etiqueta solo lleva minúsculas sin acentos (a-z), cifras y guiones",
    "too_many_tags": "un ticket lleva como máximo {limit} etiquetas",
    # ---- words inside sentences
    "status_OPEN": "Abierto",
    "status_WAITING": "Espera",
    "status_CLOSED": "Cerrado",
    "or": "o",
}

EN: dict[str, str] = {
    "not_signed_in": "Sign in first: this request carries no valid token.",
    "no_customer_account": "Your sign-in is not linked to a Netz0 customer account.",
    "operators_do_not_open": "Tickets are opened by customers, from their account or by e-mail.",
    "notes_operators_only": "Only operators can add internal notes.",
    "assign_operators_only": "Only operators can assign tickets.",
    "operators_only": "Only operators can use the operator directory.",
    "unknown_operator": (
        "'{assignee}' is not an operator of the help desk: choose one from GET /operators, "
        "or null to leave the ticket unassigned."
    ),
    "emails_customers_only": "Authorized e-mail addresses are managed from the customer's own account.",
    "ticket_not_found": "There is no ticket {ticket_id} on your account.",
    "no_such_attachment": "Ticket {ticket_id} has no such attachment.",
    "email_not_authorized": "{email} is not an authorized address of your account.",
    "no_such_route": "There is no such address in this API.",
    "closed_no_reply": "Ticket {ticket_id} is closed: reopen it before replying.",
    "closed_no_assign": "Ticket {ticket_id} is closed: reopen it before assigning it.",
    "already_closed": "Ticket {ticket_id} is already closed.",
    "not_closed_no_reopen": "Ticket {ticket_id} is not closed ({status}), so it cannot be reopened.",
    "not_waiting": "Ticket {ticket_id} is not waiting for the customer.",
    "status_does_not_allow": "The status of ticket {ticket_id} ({status}) does not allow this change.",
    "version_conflict": (
        "Ticket {ticket_id} changed while you were working on it (it is now at version {current}, "
        "you had version {expected}). Reload it to see what changed; nothing you sent was saved."
    ),
    "changed_meanwhile": "Ticket {ticket_id} changed at the same moment; please try again.",
    "canned_operators_only": "Only operators use canned replies.",
    "canned_reply_not_found": "There is no canned reply {id}.",
    "too_many_canned_replies": "There are already {limit} canned replies (the most); delete one first.",
    "canned_version_conflict": (
        "Canned reply {id} changed while you were editing it (now version {current}, you had "
        "{expected}). Reload it: nothing was saved."
    ),
    "unknown_placeholder": "The text uses placeholders that do not exist ({placeholders}). Allowed: {known}.",
    "merge_operators_only": "Only operators can merge tickets.",
    "already_merged": "Ticket {ticket_id} was already merged into {into}; its conversation continues there.",
    "ticket_merged": "Ticket {ticket_id} was merged into {into}: make your changes on {into}.",
    "merge_into_itself": 'A ticket cannot be merged into itself: choose another ticket in "into".',
    "merge_target_not_found": "There is no ticket {into} to merge {ticket_id} into.",
    "merge_target_merged": (
        "Ticket {into} was already merged into {target}: merge {ticket_id} into {target} directly."
    ),
    "merge_target_merged_here": "Ticket {into} was already merged into {ticket_id}: nothing to merge.",
    "merge_across_accounts": (
        "{ticket_id} and {into} belong to different customers: only tickets of the same account "
        "can be merged."
    ),
    "rating_link_invalid": (
        "This rating link is not valid: copy all of it from the e-mail, or rate the ticket from your account."
    ),
    "rating_link_expired": (
        "This rating link has expired: ratings are taken for {days} days after the ticket closes."
    ),
    "rating_customers_only": "Only the ticket's customer can rate it.",
    "rating_needs_closed": "Ticket {ticket_id} is not closed ({status}): it is rated once it closes.",
    "rating_closing_over": (
        "Ticket {ticket_id} was reopened after the closing this link rates: you can rate it when it "
        "closes again."
    ),
    "email_taken": "{email} cannot be authorized on this account. If it is yours, contact Netz0 support.",
    "too_many_emails": "An account can authorize at most {limit} addresses; remove one first.",
    "invalid_email": "That is not a valid e-mail address: write it as name@domain, without a display name.",
    "unknown_department": "There is no department '{department}'. Choose one of: {known}.",
    "search_needs_a_word": "Search for at least one word of two or more letters or digits.",
    "cursor_invalid": "The cursor is not valid for this listing: start again without it.",
    "export_customers_only": "Only a customer can download their account's tickets.",
    "due_sort_operators_only": "Only operators can list tickets by SLA due time.",
    "reports_operators_only": "Reports are for operators only.",
    "report_date_invalid": "The date '{field}' is not valid: write it as YYYY-MM-DD, e.g. 2026-11-25.",
    "report_range_reversed": "The period ends before it starts: 'from' must be on or before 'to'.",
    "report_in_future": "The period cannot end after today ({today}).",
    "report_range_too_long": "A report covers at most {limit} days; ask for a shorter period.",
    "queue_sort_operators_only": "Only operators can see the work queue (sort=queue).",
    "lookup_operators_only": "Only operators can look up customer accounts.",
    "open_for_operators_only": "Only operators open tickets for a customer.",
    "open_for_needs_account_and_channel": (
        "To open a ticket for a customer, give their account (account_id) and how they asked "
        "(channel: phone or chat)."
    ),
    "unknown_account": ("There is no account {account_id} with a confirmed address to send the receipt to."),
    "open_fields_operators_only": (
        "A ticket's account and channel are set by the system; you cannot send them."
    ),
    "lookup_email_or_account": "Look up by an address (email) or by an account id (account_id), not both.",
    "no_account_for_email": "No account has the address {email} confirmed.",
    "no_such_account": "There is no account {account_id} with a confirmed address.",
    "account_filter_operators_only": "Only operators can list an account's tickets (account_id).",
    "search_with_queue_filters": (
        "A search (q) does not combine with priority, tag, account_id or sort=queue."
    ),
    "due_sort_department_only": (
        "sort=due lists the tickets awaiting an answer; it can be filtered by department only."
    ),
    "attributes_operators_only": "Only operators can change a ticket's priority and tags.",
    "attributes_nothing_to_change": "Send the priority, the tags, or both.",
    "tags_invalid": "A tag is not valid; nothing was changed.",
    "attribute_filters_operators_only": "Only operators can filter by priority or tag.",
    "bad_if_match": 'If-Match must be the ticket version you loaded, e.g. If-Match: "3".',
    "idempotency_key_expired": "This Idempotency-Key has expired; send a new one.",
    "idempotency_key_reused": (
        "This Idempotency-Key was already used for a different ticket. Use a new key for a new ticket."
    ),
    "request_too_large": "The request is {size} bytes; the most this API accepts is {limit} bytes.",
    "body_not_utf8": "The request body is not UTF-8 text (invalid byte at position {position}).",
    "body_not_base64": "The request body is marked as base64 but is not.",
    "malformed_json": "The request body is not valid JSON (error at position {position}).",
    "invalid_request": "The request is not valid. {summary}.",
    "internal_error": "Something went wrong on our side. Nothing was lost; please try again.",
    "sign_in_email_kept": (
        "{email} is the sign-in address of a portal user of this account; it stays while that user exists."
    ),
    "email_confirmed_elsewhere_first": (
        "{email} was confirmed on another account first. If that was not you, contact Netz0 support."
    ),
    "confirmation_invalid": (
        "This confirmation link or code is not valid: it may have expired, been used already, or been "
        "replaced by a newer mail. Ask for a new one from the account page."
    ),
    "confirmation_mails_per_hour": (
        "Too many confirmation mails for now (at most {limit} an hour); try again later."
    ),
    "confirmation_mails_per_day": (
        "Too many confirmation mails to this address (at most {limit} a day); try again tomorrow."
    ),
    "confirmation_attempts": (
        "Too many codes tried for this address (at most {limit} an hour); try again in an hour."
    ),
    "generic_rate_limited": "Too many requests of this kind for now; try again later.",
    "upload_name_invalid": "The file name is not valid: 1 to {limit} characters, no control characters.",
    "upload_extension_refused": (
        ".{extension} files are not accepted (programs, scripts or web pages). If support needs "
        "one, send it inside a ZIP file."
    ),
    "upload_type_refused": (
        "Files of type {content_type} are not accepted. Attach pictures (PNG, JPEG, GIF, WebP), PDF, "
        "text, CSV, JSON, ZIP or Office or LibreOffice documents."
    ),
    "upload_size_refused": (
        "The file is {size} bytes: it must not be empty and may be at most {limit_mb} MB ({limit} bytes)."
    ),
    "too_many_attachments": "A message can carry at most {limit} files.",
    "attachments_too_large": (
        "The files add up to {size} bytes; a message takes at most {limit_mb} MB ({limit} bytes) in all."
    ),
    "upload_not_found": (
        "File number {position} is not among the files you uploaded for this ticket: the upload may "
        "not have finished, or it expired. Upload it again."
    ),
    "attachment_infected": (
        "'{name}' is held: the virus scan found a threat. It cannot be downloaded; ask the support "
        "team about it."
    ),
    "attachment_not_scanned": "'{name}' is still being scanned for viruses. Try again in a minute.",
    "generic_not_authenticated": "Sign in first.",
    "generic_forbidden": "Your user may not do this.",
    "generic_not_found": "Not found.",
    "generic_conflict": "The current state does not allow this change.",
    "generic_invalid": "The request is not valid.",
    "required": "is required",
    "not_settable": "is not a field you can set",
    "empty": "must not be empty",
    "control_characters": "must not contain control characters",
    "too_short": "must be at least {limit} characters long",
    "too_long": "must be at most {limit} characters long",
    "too_small": "must be at least {limit}",
    "too_big": "must be at most {limit}",
    "not_text": "must be a string",
    "not_integer": "must be a whole number",
    "not_boolean": "must be true or false",
    "not_object": 'must be a JSON object, e.g. {{"field": "value"}}',
    "one_of": "must be one of: {choices}",
    "bad_characters": "contains characters that are not allowed",
    "not_a_version": "is not a ticket version",
    "not_a_cursor": "is not a cursor this listing returned",
    "not_a_ticket_id": "is not a ticket number (e.g. NZ-12345678)",
    "no_such_ticket": "no such ticket",
    "placeholder_unknown": "uses placeholders that do not exist ({placeholders}); allowed: {known}",
    "merged_ticket": "that ticket was merged into another",
    "other_account": "is another customer's ticket",
    "same_ticket": "is the same ticket",
    "only_department_with_due": "only the department filter combines with sort=due",
    "not_with_queue_filters": "does not combine with priority, tag, account_id or sort=queue",
    "not_a_date": "is not a YYYY-MM-DD date",
    "not_after_to": "must be on or before 'to'",
    "not_after_today": "cannot be after today",
    "range_too_long": "the period covers more than {limit} days",
    "not_an_email": "is not a valid e-mail address",
    "not_a_rating_link": "is not one of our rating links",
    "not_an_operator": "is not an operator's id",
    "token_or_code": "send the token from the link, or the address and the code from the mail",
    "no_searchable_word": "has no word to search for",
    "not_valid": "is not valid",
    "extension_refused": "is a kind of file that is not accepted",
    "type_refused": "is not a type of file that is accepted",
    "too_many": "takes at most {limit}",
    "no_such_upload": "is not a file you uploaded for this ticket",
    "not_list": 'must be a JSON list, e.g. ["value"]',
    "too_many_items": "must have at most {limit} items",
    "email_or_account_id": "send email or account_id, one of the two",
    "no_such_account_field": "is not an account with a confirmed address",
    "not_null": "cannot be null: send a value or leave the field out",
    "priority_or_tags": "must carry priority, tags or both",
    "tag_empty": "a tag cannot be empty",
    "tag_too_long": "a tag is at most {limit} characters long",
    "tag_bad_characters": "a tag has only lowercase letters a-z, digits and hyphens",
    "too_many_tags": "a ticket has at most {limit} tags",
    "status_OPEN": "Open",
    "status_WAITING": "Waiting",
    "status_CLOSED": "Closed",
    "or": "or",
}

CATALOGUES: dict[Language, dict[str, str]] = {"es": ES, "en": EN}
_LANGUAGES: dict[str, Language] = {"es": "es", "en": "en"}


def negotiate(accept_language: str | None) -> Language:
    """The language of the answer: the highest-weighted of es/en in Accept-Language (RFC 9110 §12.5.4;
    "es-ES" counts as es, "*" as the default), Spanish when the header names neither."""
    best: tuple[float, Language] | None = None
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        language = DEFAULT_LANGUAGE if primary == "*" else _LANGUAGES.get(primary)
        # Ties go to the earlier entry: readers list languages in order of preference.
        if language and weight > 0 and (best is None or weight > best[0]):
            best = (weight, language)
    return best[1] if best else DEFAULT_LANGUAGE


def has(key: str) -> bool:
    return key in ES


def text(key: str, language: Language, **params: object) -> str:
    """The catalogue's sentence for `key` in `language`, its placeholders filled in. Numbers are
    written the way the language writes them (es 262.144, en 262,144)."""
    shown = {name: _number(value, language) for name, value in params.items()}
    if "status" in shown:
        shown["status"] = CATALOGUES[language].get(f"status_{shown['status']}", shown["status"])
    return CATALOGUES[language][key].format(**shown)


def _number(value: object, language: Language) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        grouped = f"{value:,}"
        return grouped.replace(",", ".") if language == "es" else grouped
    return str(value)
