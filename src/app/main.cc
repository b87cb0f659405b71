// stellar-arrow-source: Stellar ledgers as Arrow, served over Flight.
#include "app/run_main.h"

int main(int argc, char** argv) { return sas::app::RunMain(argc, argv); }
