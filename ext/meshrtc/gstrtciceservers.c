/* placeholder: being written */
#include "gstmeshrtcelements.h"
gboolean gst_element_register_rtciceservers (GstPlugin * plugin) { return TRUE; }
