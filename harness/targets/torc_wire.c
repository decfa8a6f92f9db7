/*
 * torc_wire.c - the table of message types of the out-of-process target
 * protocol (docs/wire-protocol.md): their names and which expect a reply.
 *
 * Where it sits: below torc_proxy.c (host side) and the torc-target-runner
 * (target side).  The wire module knows the byte layout of every message and
 * how calls nest; it knows nothing of what an operation means.  Everything
 * read from the peer is untrusted: every count is checked against the bytes
 * left in the message before it sizes an allocation, and a message longer
 * than TORC_WIRE_MAX_MSG is refused before it is read.
 * The parts: torc_wire.c (this file) is the table of message types,
 * torc_wire_encode.c builds messages, torc_wire_decode.c parses them,
 * torc_wire_validate.c checks a whole message against its type's layout, and
 * torc_wire_chan.c moves messages over the stream and nests calls.
 */
#include "torc_wire.h"

#include <string.h>

const char *torc_wire_type_name(unsigned type) {
  switch (type) {
  case TORC_MSG_HELLO:
    return "HELLO";
  case TORC_MSG_OP_DESTROY:
    return "OP_DESTROY";
  case TORC_MSG_OP_CONN_OPEN:
    return "OP_CONN_OPEN";
  case TORC_MSG_OP_CONN_CLOSE:
    return "OP_CONN_CLOSE";
  case TORC_MSG_OP_INITIATE_OFFLOAD:
    return "OP_INITIATE_OFFLOAD";
  case TORC_MSG_OP_RECEIVE:
    return "OP_RECEIVE";
  case TORC_MSG_OP_RECEIVE_RETURN:
    return "OP_RECEIVE_RETURN";
  case TORC_MSG_OP_SEGMENT:
    return "OP_SEGMENT";
  case TORC_MSG_OP_ADVANCE_TIME:
    return "OP_ADVANCE_TIME";
  case TORC_MSG_OP_TERMINATE_OFFLOAD:
    return "OP_TERMINATE_OFFLOAD";
  case TORC_MSG_OP_GET_STATS:
    return "OP_GET_STATS";
  case TORC_MSG_OP_RESET:
    return "OP_RESET";
  case TORC_MSG_OP_ALLOC_POLICY:
    return "OP_ALLOC_POLICY";
  case TORC_MSG_UP_ALLOC:
    return "UP_ALLOC";
  case TORC_MSG_UP_ALLOCATED:
    return "UP_ALLOCATED";
  case TORC_MSG_UP_FREE:
    return "UP_FREE";
  case TORC_MSG_UP_LOG:
    return "UP_LOG";
  case TORC_MSG_UP_OFFLOAD_COMPLETE:
    return "UP_OFFLOAD_COMPLETE";
  case TORC_MSG_UP_RECEIVE_COMPLETE:
    return "UP_RECEIVE_COMPLETE";
  case TORC_MSG_UP_RECEIVE_INDICATE:
    return "UP_RECEIVE_INDICATE";
  case TORC_MSG_UP_EVENT:
    return "UP_EVENT";
  case TORC_MSG_UP_TERMINATE_COMPLETE:
    return "UP_TERMINATE_COMPLETE";
  case TORC_MSG_UP_HOLD_CHANGED:
    return "UP_HOLD_CHANGED";
  case TORC_MSG_RET:
    return "RET";
  default:
    return "?";
  }
}

int torc_wire_type_wants_reply(unsigned type) {
  return type != TORC_MSG_UP_FREE && type != TORC_MSG_UP_LOG &&
         type != TORC_MSG_UP_HOLD_CHANGED && type != TORC_MSG_RET &&
         type != TORC_MSG_OP_ALLOC_POLICY && type != TORC_MSG_UP_ALLOCATED &&
         strcmp(torc_wire_type_name(type), "?") != 0;
}
