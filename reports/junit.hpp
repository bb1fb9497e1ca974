#pragma once
// A compliance run as JUnit XML, the test report format CI systems read
// (Jenkins' JUnit plugin, GitLab's test reports, GitHub test-report actions).
// JUnit has no formal standard; this follows the common Ant/Surefire layout:
//
//   <testsuites name tests failures errors skipped time timestamp>
//     <testsuite name="smtp-harness check: AREA" ...>  one per area, in suite order
//       <properties> target, profile, server and banner (when known) </properties>
//       <testcase name="ID title" classname="compliance.AREA" time>
//         <properties> rfc, level, verdict, source (and warning for a WARN,
//                      hint when the server has one for the verdict) </properties>
//         <failure message type="LEVEL"> for FAIL, <error> for ERROR (the
//         message: the reason; its hint after "; hint: "),
//         <skipped message/> for SKIP; PASS, WARN and INFO pass
//         <system-out> the verdict, reason, hint, notes and transcript </system-out>
//
// Properties inside a testcase are an extension (pytest, jest-junit and
// Testmo write them) that the readers above ignore or show; GitLab shows
// classname as the suite, hence "compliance.AREA". Every string is escaped
// for XML whatever bytes it holds (reports/xml_text.hpp), and the transcript
// is shown with its control characters and stray bytes made visible.
#include <string>

#include "check/check_result.hpp"

namespace smtp::reports {

std::string to_junit(const check::CheckRunResult& run);

}  // namespace smtp::reports
