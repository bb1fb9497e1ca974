// A fixture of repo.layering_enforced_by_build, never part of a program: a
// unit of the proto layer that includes a net/ header. Compiled as part of
// smtp_proto's world it must fail ("No such file or directory"), because
// smtp_proto sees only its own headers; compiled with smtp_net linked, the
// same file must compile, which shows the failure is the layering's.
#include "net/transport.hpp"

int layering_fixture();
