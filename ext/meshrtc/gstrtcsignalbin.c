/* placeholder: being written */
#include "gstmeshrtcelements.h"
gboolean gst_element_register_rtcsignalbin (GstPlugin * plugin) { return TRUE; }
