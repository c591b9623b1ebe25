// checker.h: the whole public API of the engine in one include.
#pragma once

#include "checker/access.h"
#include "checker/api.h"
#include "checker/bitlock.h"
#include "checker/explorer.h"
#include "checker/ids.h"
#include "checker/mutex.h"
#include "checker/program.h"
#include "checker/report.h"
#include "checker/rwsem.h"
#include "checker/schedule.h"
#include "checker/shared.h"
#include "checker/shared_array.h"
#include "checker/step.h"
#include "checker/violation.h"
